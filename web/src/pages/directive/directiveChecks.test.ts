import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/errors';
import { signatureProblem } from '../../sign/witness';
import { MAX_FORM_BYTES, signedFormProblem, witnessProblem } from './directiveChecks';

describe('the signed form', () => {
  it('takes a PDF or an image up to the limit, and says what to do otherwise', () => {
    expect(signedFormProblem('application/pdf', 1000)).toBeUndefined();
    expect(signedFormProblem('image/jpeg', MAX_FORM_BYTES)).toBeUndefined();
    expect(signedFormProblem('application/msword', 1000)).toMatch(/PDF・JPEG・PNG/);
    expect(signedFormProblem('image/png', 0)).toMatch(/空です/);
    expect(signedFormProblem('image/png', MAX_FORM_BYTES + 1)).toMatch(/大きすぎます（5\.0MB）.*5MB以下/);
  });
});

describe('the witness’s certificate', () => {
  const identity = { identity: 'Practitioner/prac-physician-home', name: '伊藤 健一', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') };
  it('is the signed-in physician’s own, valid now', () => {
    expect(witnessProblem(identity, 'Practitioner/prac-physician-home', new Date('2026-12-07'))).toBeUndefined();
    expect(witnessProblem(identity, 'Practitioner/prac-other', new Date('2026-12-07'))).toMatch(/伊藤 健一（Practitioner\/prac-physician-home）のものです/);
    expect(witnessProblem(identity, undefined, new Date('2027-02-01'))).toMatch(/有効期限が切れています/);
    expect(witnessProblem(identity, undefined, new Date('2025-12-01'))).toMatch(/まだ有効になっていません/);
  });
});

describe('the hub’s refusal of a signature', () => {
  const refusal = (diagnostics: string) => new FhirError('invalid', 422, '入力内容に誤りがあります', '', [{ severity: 'error', code: 'security', diagnostics, expression: [] }]);
  it('is explained by its reason in Japanese', () => {
    expect(signatureProblem(refusal('事前指示書の署名を受け付けられません: ... [PROFESSION]'))).toMatch(/医師の資格/);
    expect(signatureProblem(refusal('... [UNTRUSTED]'))).toMatch(/信頼する認証局/);
    expect(signatureProblem(refusal('... [REVOKED]'))).toMatch(/失効/);
    expect(signatureProblem(refusal('... [EXPIRED]'))).toMatch(/有効期限/);
    expect(signatureProblem(refusal('... [CONTENT_CHANGED]'))).toMatch(/一致しませんでした/);
    expect(signatureProblem(refusal('Consent.dateTime: required'))).toBeUndefined();
  });
});
