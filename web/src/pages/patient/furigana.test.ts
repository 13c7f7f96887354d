import { describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import { furigana } from './furigana';

const SYL = [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'SYL' }];
const IDE = [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'IDE' }];

describe('furigana', () => {
  it('puts the family reading over the family name and the given over the given', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      name: [
        { extension: SYL, family: 'ヤマダ', given: ['ハナコ'] },
        { extension: IDE, use: 'official', family: '山田', given: ['花子'] },
      ],
    };
    expect(furigana(patient)).toEqual([
      { text: '山田', reading: 'ヤマダ' },
      { text: '花子', reading: 'ハナコ' },
    ]);
  });

  it('pairs names given only as text, split at the (full- or half-width) space', () => {
    const patient: Patient = { resourceType: 'Patient', name: [{ text: '佐々木\u3000和子' }, { extension: SYL, text: 'ササキ カズコ' }] };
    expect(furigana(patient)).toEqual([
      { text: '佐々木', reading: 'ササキ' },
      { text: '和子', reading: 'カズコ' },
    ]);
  });

  it('gives no reading where the name is already kana, and the whole reading when the pieces do not pair', () => {
    expect(furigana({ resourceType: 'Patient', name: [{ family: '鈴木', given: ['トメ'] }, { extension: SYL, family: 'スズキ', given: ['トメ'] }] })).toEqual([
      { text: '鈴木', reading: 'スズキ' },
      { text: 'トメ', reading: '' },
    ]);
    expect(furigana({ resourceType: 'Patient', name: [{ text: '山田花子' }, { extension: SYL, text: 'ヤマダ ハナコ' }] })).toEqual([
      { text: '山田花子', reading: 'ヤマダ ハナコ' },
    ]);
  });

  it('shows the kana name alone when there is no kanji name, and nothing without names', () => {
    expect(furigana({ resourceType: 'Patient', name: [{ extension: SYL, text: 'ヤマダ ハナコ' }] })).toEqual([{ text: 'ヤマダ ハナコ', reading: '' }]);
    expect(furigana({ resourceType: 'Patient' })).toEqual([]);
  });
});
