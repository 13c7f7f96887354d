import type { Communication, Task } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import answerExample from '../../../../fhir-profiles/src/main/fhir/Communication-contact-form-answer-example.json';
import questionExample from '../../../../fhir-profiles/src/main/fhir/Communication-contact-form-question-example.json';
import { answersTo, patientContactFormsSearch, sentContactFormsSearch, sentQuestions } from './contactData';

const NOW = Date.parse('2026-11-21T09:00:00+09:00');
const QUESTION = questionExample as Communication;
const task = (id: string, owner: string, status: Task['status']): Task => ({
  resourceType: 'Task',
  id,
  status,
  intent: 'order',
  code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'contact-form' }] },
  focus: { reference: 'Communication/contact-form-question-example' },
  for: { reference: 'Patient/pat-sasaki' },
  owner: { reference: owner },
  authoredOn: '2026-11-13T16:20:00+09:00',
  restriction: { period: { end: '2026-11-20T23:59:59+09:00' } },
});

describe('連絡票', () => {
  it('finds the questions by the Tasks the user requested, and a question’s answers among the patient’s contact forms', () => {
    expect(decodeURIComponent(sentContactFormsSearch(['PractitionerRole/role-ito-cm']))).toBe(
      'Task?code=http://renkei.example.jp/fhir/CodeSystem/handoff|contact-form&requester=PractitionerRole/role-ito-cm&_sort=-_lastUpdated&_count=100',
    );
    expect(decodeURIComponent(patientContactFormsSearch('Patient/pat-sasaki'))).toBe(
      'Communication?subject=Patient/pat-sasaki&category=http://renkei.example.jp/fhir/CodeSystem/care-document|contact-form&_sort=-sent&_count=100',
    );
  });

  it('shows each recipient’s state as 未読・既読・回答済み with 返信希望日, overdue when unanswered past it', () => {
    const names = new Map([['Organization/clinic', 'もりおか在宅クリニック']]);
    const [open] = sentQuestions([task('t1', 'PractitionerRole/role-takahashi-dr', 'received'), task('t2', 'Organization/clinic', 'requested')], [QUESTION], names, NOW);
    expect(open.topic).toBe('退院後の入浴とリハビリテーションについて');
    expect(open.patient).toBe('佐々木 トシ');
    expect(open.recipients.map((r) => [r.recipient, r.state, r.deadline?.overdue])).toEqual([
      ['PractitionerRole/role-takahashi-dr', '既読', true],
      ['もりおか在宅クリニック', '未読', true],
    ]);
    expect([open.answered, open.overdue]).toEqual([false, true]);
    const [done] = sentQuestions([task('t1', 'PractitionerRole/role-takahashi-dr', 'completed')], [QUESTION], names, NOW);
    expect([done.recipients[0].state, done.recipients[0].deadline?.overdue, done.answered, done.overdue]).toEqual(['回答済み', false, true, false]);
  });

  it('takes as answers only the answers whose inResponseTo is the question (not a follow-up question, not another thread)', () => {
    const answer = answerExample as Communication;
    const followUp: Communication = { ...QUESTION, id: 'follow-up', inResponseTo: [{ reference: 'Communication/contact-form-answer-example' }] };
    const other: Communication = { ...answer, id: 'other', inResponseTo: [{ reference: 'Communication/another-question' }] };
    expect(answersTo('contact-form-question-example', [followUp, other, answer, QUESTION]).map((m) => m.id)).toEqual(['contact-form-answer-example']);
  });
});
