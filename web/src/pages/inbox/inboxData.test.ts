import type { Communication, Task } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import answerExample from '../../../../fhir-profiles/src/main/fhir/Communication-contact-form-answer-example.json';
import questionExample from '../../../../fhir-profiles/src/main/fhir/Communication-contact-form-question-example.json';
import { inboxItems, inboxSearches, newArrivals, referencesToName, sortInbox, taskStateLabel } from './inboxData';

const NOW = Date.parse('2026-11-29T09:00:00+09:00');
const ME = { organization: 'org-homecare', practitionerRole: 'role-care-manager', practitioner: 'prac-care-manager' };
const task = (id: string, code: string, owner: string, status: Task['status'], due?: string, authoredOn = '2026-11-24T16:30:00+09:00', extra: Partial<Task> = {}): Task => ({
  resourceType: 'Task',
  id,
  meta: { versionId: '1' },
  status,
  intent: 'order',
  code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code }] },
  focus: { reference: code === 'contact-form' ? `Communication/q-${id}` : `Bundle/b-${id}` },
  for: { reference: 'Patient/pat-yamada' },
  owner: { reference: owner },
  requester: { reference: 'PractitionerRole/role-msw' },
  authoredOn,
  ...(due ? { restriction: { period: { end: due } } } : {}),
  ...extra,
});
const names = new Map([
  ['Patient/pat-yamada', '山田 花子'],
  ['PractitionerRole/role-msw', '加藤 大輔（医療ソーシャルワーカー）・みちのく中央病院'],
]);

describe('受信箱', () => {
  it('asks the organisation’s inbox (with the user’s role and practitioner) in the open states, and the contact forms sent to the user', () => {
    const [tasks, messages] = inboxSearches(ME).map(decodeURIComponent);
    expect(tasks).toBe(
      'Task?owner=Organization/org-homecare,PractitionerRole/role-care-manager,Practitioner/prac-care-manager&status=requested,received,accepted,in-progress&_sort=-_lastUpdated&_count=100',
    );
    expect(messages).toContain('Communication?recipient=Organization/org-homecare,PractitionerRole/role-care-manager,Practitioner/prac-care-manager');
    expect(messages).toContain('category=http://renkei.example.jp/fhir/CodeSystem/care-document|contact-form');
    expect(inboxSearches({})).toEqual([]);
  });

  it('sorts by deadline: overdue first (most overdue first), then the nearest, then the rest newest first', () => {
    const items = inboxItems(
      [
        task('later', 'discharge-summary', 'Organization/org-homecare', 'requested', '2026-12-02T23:59:59+09:00'),
        task('overdue1', 'discharge-summary', 'PractitionerRole/role-care-manager', 'requested', '2026-11-28T23:59:59+09:00'),
        task('overdue2', 'discharge-summary', 'Organization/org-homecare', 'requested', '2026-11-26T23:59:59+09:00'),
        task('today', 'contact-form', 'PractitionerRole/role-care-manager', 'received', '2026-11-29T23:59:59+09:00'),
        task('received', 'discharge-summary', 'Organization/org-homecare', 'received', '2026-11-20T23:59:59+09:00', '2026-11-19T10:00:00+09:00'),
        task('nodeadline', 'discharge-summary', 'Organization/org-homecare', 'accepted', undefined, '2026-11-27T10:00:00+09:00'),
      ],
      [],
      ME,
      names,
      NOW,
    );
    expect(items.map((i) => i.key)).toEqual(['Task/overdue2', 'Task/overdue1', 'Task/today', 'Task/later', 'Task/nodeadline', 'Task/received']);
    expect(items.map((i) => i.deadline?.label)).toEqual([
      '期限超過 3日（期限 2026年11月26日(木)）',
      '期限超過 1日（期限 2026年11月28日(土)）',
      '本日期限（2026年11月29日(日)）',
      '残り3日（期限 2026年12月2日(水)）',
      undefined,
      '期限 2026年11月20日(金)・受領済み',
    ]);
    expect(items.filter((i) => i.deadline?.overdue).map((i) => i.key)).toEqual(['Task/overdue2', 'Task/overdue1']);
    const first = items[0];
    expect([first.patient, first.sender, first.kindLabel, first.state, first.link, first.fresh]).toEqual([
      '山田 花子',
      '加藤 大輔（医療ソーシャルワーカー）・みちのく中央病院',
      '退院時情報提供書',
      '未受領',
      '/inbox/tasks/overdue2',
      true,
    ]);
    expect(items.find((i) => i.key === 'Task/today')!.link).toBe('/contact-forms/q-today');
  });

  it('keeps only what is addressed to the user: not a colleague’s, not a Task the user sent, not closed ones, not a plain Task', () => {
    const items = inboxItems(
      [
        task('mine', 'discharge-summary', 'PractitionerRole/role-care-manager', 'requested'),
        task('colleague', 'discharge-summary', 'PractitionerRole/role-visiting-nurse', 'requested'),
        task('sent-by-me', 'contact-form', 'PractitionerRole/role-physician-home', 'requested'),
        task('done', 'discharge-summary', 'Organization/org-homecare', 'completed'),
        { ...task('plain', 'x', 'Organization/org-homecare', 'requested'), code: { text: 'その他' } },
      ],
      [],
      ME,
      names,
      NOW,
    );
    expect(items.map((i) => i.key)).toEqual(['Task/mine']);
  });

  it('shows a contact-form answer addressed to the user (not a question), linked to its question', () => {
    const answer = { ...(answerExample as Communication), recipient: [{ reference: 'PractitionerRole/role-care-manager' }] };
    const question = { ...(questionExample as Communication), recipient: [{ reference: 'PractitionerRole/role-care-manager' }] };
    const items = inboxItems([], [answer, question], ME, names, NOW);
    expect(items.map((i) => [i.key, i.kindLabel, i.patient, i.sender, i.state, i.link])).toEqual([
      ['Communication/contact-form-answer-example', '連絡票の回答', '佐々木 トシ', '高橋 誠（もりおか在宅クリニック 医師）', '回答あり', '/contact-forms/contact-form-question-example'],
    ]);
    expect(inboxItems([], [answerExample as Communication], ME, names, NOW)).toEqual([]);
  });

  it('says the state in Japanese: a hand-off 未受領/受領/受諾, a contact form 未読/既読/回答済み', () => {
    expect(['requested', 'received', 'accepted', 'in-progress'].map((s) => taskStateLabel(task('t', 'discharge-summary', 'x', s as Task['status'])))).toEqual(['未受領', '受領', '受諾', '対応中']);
    expect(['requested', 'received', 'completed'].map((s) => taskStateLabel(task('t', 'contact-form', 'x', s as Task['status'])))).toEqual(['未読', '既読', '回答済み']);
  });

  it('names only what the records do not, and tells the new arrivals of a refetch', () => {
    const t = task('a', 'discharge-summary', 'Organization/org-homecare', 'requested');
    expect(referencesToName([t, { ...t, requester: { reference: 'PractitionerRole/role-msw', display: '加藤' } }], [])).toEqual(['Patient/pat-yamada', 'PractitionerRole/role-msw']);
    const items = sortInbox(inboxItems([t, task('b', 'discharge-summary', 'Organization/org-homecare', 'requested')], [], ME, names, NOW));
    expect(newArrivals(undefined, items)).toEqual([]);
    expect(newArrivals(new Set(['Task/a']), items).map((i) => i.key)).toEqual(['Task/b']);
  });
});
