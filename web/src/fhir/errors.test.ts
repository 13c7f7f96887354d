import { describe, expect, it } from 'vitest';
import { FhirError, issuesOf, networkError, translateError } from './errors';

const outcome = (...issues: object[]) => ({ resourceType: 'OperationOutcome', issue: issues });

describe('translateError', () => {
  it.each([
    [401, 'signin', 'サインイン'],
    [403, 'forbidden', '許可されていません'],
    [404, 'not-found', '見つかりません'],
    [410, 'gone', '削除されています'],
    [409, 'conflict', 'ほかの人が先に'],
    [412, 'conflict', 'ほかの人が先に'],
    [422, 'invalid', '入力内容に誤り'],
    [400, 'invalid', '入力内容に誤り'],
    [413, 'too-large', '大きすぎます'],
    [429, 'unavailable', '一時的な問題'],
    [500, 'unavailable', '一時的な問題'],
    [503, 'unavailable', '一時的な問題'],
  ])('turns HTTP %i into %s with a Japanese title', (status, kind, words) => {
    const error = translateError(status);
    expect(error).toBeInstanceOf(FhirError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.title).toContain(words);
    expect(error.action.length).toBeGreaterThan(0);
  });

  it('says what to do next', () => {
    expect(translateError(401).action).toContain('もう一度サインイン');
    expect(translateError(412).action).toContain('最新の内容を読み込んで');
    expect(translateError(503).action).toContain('もう一度お試しください');
    expect(networkError().action).toContain('ネットワーク接続を確認');
  });

  it('retries only what may succeed the next time', () => {
    expect(translateError(503).retryable).toBe(true);
    expect(translateError(500).retryable).toBe(true);
    expect(networkError().retryable).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 412, 422]) {
      expect(translateError(status).retryable).toBe(false);
    }
  });

  it('keeps the issues of a 422 so a form can show each at its field', () => {
    const error = translateError(
      422,
      outcome(
        { severity: 'error', code: 'required', diagnostics: '生年月日が必要です (birthDate is required)', expression: ['Patient.birthDate'] },
        { severity: 'error', code: 'value', diagnostics: '電話番号が不正です', expression: ['Patient.telecom[0].value'] },
        { severity: 'information', code: 'informational', diagnostics: 'noise' },
      ),
    );
    expect(error.kind).toBe('invalid');
    expect(error.issues).toEqual([
      { severity: 'error', code: 'required', diagnostics: '生年月日が必要です (birthDate is required)', expression: ['Patient.birthDate'] },
      { severity: 'error', code: 'value', diagnostics: '電話番号が不正です', expression: ['Patient.telecom[0].value'] },
    ]);
    expect(error.issuesAt('Patient.birthDate').map((i) => i.code)).toEqual(['required']);
    expect(error.issuesAt('Patient.telecom').map((i) => i.code)).toEqual(['value']);
    expect(error.issuesAt('Patient.birth')).toEqual([]);
  });
});

describe('issuesOf', () => {
  it('reads location when there is no expression, and details.text without diagnostics', () => {
    expect(issuesOf(outcome({ severity: 'error', code: 'invalid', details: { text: '不正' }, location: ['Patient.name'] }))).toEqual([
      { severity: 'error', code: 'invalid', diagnostics: '不正', expression: ['Patient.name'] },
    ]);
  });

  it('finds nothing in what is not an OperationOutcome', () => {
    expect(issuesOf(undefined)).toEqual([]);
    expect(issuesOf('<html>')).toEqual([]);
    expect(issuesOf({ resourceType: 'Bundle' })).toEqual([]);
    expect(issuesOf({ resourceType: 'OperationOutcome' })).toEqual([]);
  });
});
