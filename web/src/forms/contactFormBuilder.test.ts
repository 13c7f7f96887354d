import type { Communication } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import question from '../../../fhir-profiles/src/main/fhir/Communication-contact-form-question-example.json';
import answer from '../../../fhir-profiles/src/main/fhir/Communication-contact-form-answer-example.json';
import { CONTACT_FORM_ANSWER, CONTACT_FORM_QUESTION } from './contact-form';
import { buildAnswer, buildQuestion, contactFormParts, ifNoneExist, isContactFormAnswer, missingMessageAnswers, placeMessageIssues } from './contactFormBuilder';
import type { PickedReference } from './answers';

// The built Communications against the profiles' examples (the hub accepts those, ContactFormProfileTest).

const EXAMPLE_Q = question as Communication & { id: string };
const EXAMPLE_A = answer as Communication;
const DOCTOR: PickedReference = {
  reference: 'PractitionerRole/role-takahashi-dr',
  label: '高橋 誠（もりおか在宅クリニック 医師）',
  resource: { resourceType: 'PractitionerRole', id: 'role-takahashi-dr' },
};
const part = (m: Communication, code: string) => m.payload?.find((p) => p.extension?.[0].valueCoding?.code === code)?.contentString;

describe('buildQuestion', () => {
  const built = buildQuestion(
    CONTACT_FORM_QUESTION,
    {
      recipients: [DOCTOR],
      topic: EXAMPLE_Q.topic!.text!,
      consultation: `  ${part(EXAMPLE_Q, 'consultation')}  `,
      'care-plan-issue': part(EXAMPLE_Q, 'care-plan-issue'),
      'reply-by': '2026-11-20',
    },
    EXAMPLE_Q.subject!,
    { sender: EXAMPLE_Q.sender!, draftId: '0b6c1c1e-2f57-4d3e-8d1f-6a3f0e9b7c21', now: EXAMPLE_Q.sent! },
  );

  it('is the example question: profile, categories, reply date, recipients, sender, parts (trimmed) in the same structure', () => {
    const { id: _id, ...expected } = EXAMPLE_Q;
    const { identifier, ...rest } = built;
    expect(rest).toEqual(expected);
    expect(identifier).toEqual([{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0b6c1c1e-2f57-4d3e-8d1f-6a3f0e9b7c21' }]);
    expect(decodeURIComponent(ifNoneExist(built))).toBe('identifier=urn:ietf:rfc:3986|urn:uuid:0b6c1c1e-2f57-4d3e-8d1f-6a3f0e9b7c21');
  });

  it('leaves out what is not written, and refuses a question without 相談内容 or recipient', () => {
    const minimal = buildQuestion(CONTACT_FORM_QUESTION, { recipients: [DOCTOR], consultation: '入浴の可否' }, { reference: 'Patient/p1' }, { sender: { reference: 'PractitionerRole/cm' }, draftId: 'x', now: '2026-11-13T16:20:00+09:00' });
    expect(minimal.extension).toBeUndefined();
    expect(minimal.topic).toBeUndefined();
    expect(minimal.payload).toHaveLength(1);
    expect([...missingMessageAnswers(CONTACT_FORM_QUESTION, { consultation: ' ' }).keys()]).toEqual(['recipients', 'consultation']);
    expect(() => buildQuestion(CONTACT_FORM_QUESTION, { recipients: [DOCTOR] }, { reference: 'Patient/p1' }, { sender: { reference: 'PractitionerRole/cm' }, draftId: 'x', now: '' })).toThrow(/consultation/);
  });
});

describe('buildAnswer', () => {
  it('is the example answer: in response to the question, back to its sender, same patient and subject line', () => {
    const built = buildAnswer(
      CONTACT_FORM_ANSWER,
      { instruction: part(EXAMPLE_A, 'instruction'), precaution: part(EXAMPLE_A, 'precaution') },
      EXAMPLE_Q,
      { sender: EXAMPLE_A.sender!, draftId: 'a1', now: EXAMPLE_A.sent! },
    );
    const { id: _id, ...expected } = EXAMPLE_A as Communication & { id: string };
    const { identifier: _identifier, ...rest } = built;
    expect(rest).toEqual({ ...expected, inResponseTo: [{ reference: 'Communication/contact-form-question-example' }] });
    expect(isContactFormAnswer(built)).toBe(true);
    expect(isContactFormAnswer(EXAMPLE_Q)).toBe(false);
  });

  it('refuses an answer without 指示・意見', () => {
    expect(() => buildAnswer(CONTACT_FORM_ANSWER, { precaution: '転倒注意' }, EXAMPLE_Q, { sender: { reference: 'PractitionerRole/dr' }, draftId: 'a', now: '' })).toThrow(/instruction/);
  });

  it('lists the parts in the form’s order with their titles', () => {
    expect(contactFormParts({ ...EXAMPLE_A, payload: [...EXAMPLE_A.payload!].reverse() }).map((p) => p.title)).toEqual(['指示・意見', '留意事項']);
  });
});

describe('placeMessageIssues', () => {
  it('puts the hub’s 422 issues at the field that wrote the element, the rest above the form', () => {
    const sent = buildQuestion(CONTACT_FORM_QUESTION, { recipients: [DOCTOR], consultation: 'a', 'care-plan-issue': 'b', 'reply-by': '2026-11-20' }, { reference: 'Patient/p1' }, { sender: { reference: 'PractitionerRole/cm' }, draftId: 'x', now: '2026-11-13T16:20:00+09:00' });
    const placed = placeMessageIssues(CONTACT_FORM_QUESTION, sent, [
      { code: 'processing', diagnostics: '長すぎます', expression: ['Communication.payload[1].content.ofType(string)'] },
      { code: 'not-found', diagnostics: '宛先が見つかりません', expression: ['Communication.recipient[0]'] },
      { code: 'invalid', diagnostics: '日付ではありません', expression: ['Communication.extension[0].value.ofType(date)'] },
      { code: 'structure', diagnostics: '全体の誤り', expression: ['Communication /*Communication/x*/'] },
    ]);
    expect(Object.fromEntries(placed.byField)).toEqual({ 'care-plan-issue': ['長すぎます'], recipients: ['宛先が見つかりません'], 'reply-by': ['日付ではありません'] });
    expect(placed.unplaced).toEqual(['全体の誤り']);
  });
});
