import { describe, expect, it } from 'vitest';
import { FhirError, translateError } from '../../fhir/errors';
import { breakGlassParameters, checkIdentity, declarationProblem, grantOf, normalizeName } from './identify';

const today = new Date('2026-12-07T03:00:00+09:00');

describe('the name and birth date the crew types', () => {
  it('folds full-width and half-width forms and spaces, keeping kanji and kana', () => {
    expect(normalizeName('　山田　 花子 ')).toBe('山田 花子');
    expect(normalizeName('ﾔﾏﾀﾞ ﾊﾅｺ')).toBe('ヤマダ ハナコ');
    expect(normalizeName('やまだ　はなこ')).toBe('やまだ はなこ');
    expect(normalizeName('ＹＡＭＡＤＡ')).toBe('YAMADA');
  });

  it('reads the birth date as the forms do (western, 和暦, full-width) and sends a FHIR date', () => {
    for (const typed of ['1938-05-12', '1938/5/12', '1938年5月12日', '昭和13年5月12日', 'S13.5.12', '１９３８／５／１２']) {
      expect(checkIdentity({ name: '山田 花子', birthDate: typed }, today).identity?.birthDate).toBe('1938-05-12');
    }
  });

  it('asks for what is missing or wrong, field by field, in Japanese', () => {
    expect(checkIdentity({ name: '', birthDate: '' }, today).errors).toEqual({
      name: expect.stringContaining('氏名を入力してください'),
      birthDate: expect.stringContaining('生年月日を入力してください'),
    });
    expect(checkIdentity({ name: '山', birthDate: '1938/2/30' }, today).errors).toEqual({
      name: expect.stringContaining('姓と名'),
      birthDate: expect.stringContaining('正しく'),
    });
    expect(checkIdentity({ name: '山田 花子', birthDate: '2027/1/1' }, today).errors.birthDate).toContain('未来');
    // the day itself in Japan is not the future, even while it is still yesterday in UTC
    expect(checkIdentity({ name: '山田 花子', birthDate: '2026/12/7' }, today).identity?.birthDate).toBe('2026-12-07');
  });

  it('sends address and phone only when given, the phone as digits', () => {
    const checked = checkIdentity({ name: '田中 一郎', birthDate: '1945/1/1', address: ' 花巻市 ', phone: '０１９(111)1111' }, today).identity!;
    expect(breakGlassParameters(checked, '  意識消失 ')).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'name', valueString: '田中 一郎' },
        { name: 'birthDate', valueDate: '1945-01-01' },
        { name: 'address', valueString: '花巻市' },
        { name: 'phone', valueString: '0191111111' },
        { name: 'purpose', valueCode: 'ETREAT' },
        { name: 'reason', valueString: '意識消失' },
      ],
    });
    const plain = checkIdentity({ name: '山田花子', birthDate: '1938/5/12', address: '', phone: '' }, today).identity!;
    expect(breakGlassParameters(plain, 'x').parameter?.map((p) => p.name)).toEqual(['name', 'birthDate', 'purpose', 'reason']);
  });
});

describe("the hub's answer", () => {
  it('reads the patient and the end of the grant', () => {
    expect(
      grantOf({
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', valueReference: { reference: 'Patient/pat-yamada' } },
          { name: 'until', valueInstant: '2026-12-06T19:00:00Z' },
        ],
      }),
    ).toEqual({ patientId: 'pat-yamada', until: Date.parse('2026-12-06T19:00:00Z') });
    expect(() => grantOf({ resourceType: 'Parameters' })).toThrow(FhirError);
  });

  it('explains not found, several matches and a refusal in the crew’s words, with what to do next', () => {
    const notFound = declarationProblem(translateError(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: '…' }] }))!;
    expect(notFound.title).toBe('該当する患者が見つかりません。');
    expect(notFound.action).toContain('氏名（姓と名）と生年月日を確かめて');
    expect(notFound.askForMore).toBe(false);
    const several = declarationProblem(translateError(412, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'multiple-matches' }] }))!;
    expect(several.title).toContain('複数');
    expect(several.action).toContain('住所の一部');
    expect(several.askForMore).toBe(true);
    expect(declarationProblem(translateError(403))!.title).toContain('救急隊と医師だけ');
    expect(declarationProblem(translateError(503))).toBeUndefined();
    expect(declarationProblem(new Error('x'))).toBeUndefined();
  });
});
