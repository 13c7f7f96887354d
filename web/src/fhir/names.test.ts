import { describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import { birthDateLabel, genderLabel, patientNames } from './names';

const SYL = [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'SYL' }];

describe('patientNames', () => {
  it('reads the kanji name and the SYL kana reading, family name first', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      name: [
        { extension: SYL, use: 'official', family: 'ヤマダ', given: ['ハナコ'] },
        { use: 'official', family: '山田', given: ['花子'] },
      ],
    };
    expect(patientNames(patient)).toEqual({ name: '山田 花子', kana: 'ヤマダ ハナコ' });
  });

  it('copes with a patient without names or readings', () => {
    expect(patientNames({ resourceType: 'Patient' })).toEqual({ name: '（氏名なし）', kana: '' });
    expect(patientNames({ resourceType: 'Patient', name: [{ text: '鈴木 トメ' }] })).toEqual({ name: '鈴木 トメ', kana: '' });
  });
});

describe('birthDateLabel', () => {
  it('writes the date with its Japanese era and the age', () => {
    expect(birthDateLabel('1940-04-01', new Date(2026, 2, 31))).toBe('1940年4月1日（昭和15年） 85歳');
    expect(birthDateLabel('1940-04-01', new Date(2026, 3, 1))).toBe('1940年4月1日（昭和15年） 86歳');
    expect(birthDateLabel('1989-01-08', new Date(2026, 0, 1))).toMatch(/平成(元|1)年/);
  });

  it('writes a partial date without an age, and nothing for none', () => {
    expect(birthDateLabel('1940')).toBe('1940年（昭和15年）');
    expect(birthDateLabel(undefined)).toBe('');
    expect(birthDateLabel('not a date')).toBe('');
  });
});

describe('genderLabel', () => {
  it('names the FHIR genders in Japanese', () => {
    expect(genderLabel('female')).toBe('女性');
    expect(genderLabel(undefined)).toBe('');
  });
});
