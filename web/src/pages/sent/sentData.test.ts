import type { Task } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { sentDocuments, sentTasksSearch } from './sentData';

const NOW = Date.parse('2026-11-29T09:00:00+09:00');
const task = (id: string, focus: string, owner: string, status: Task['status'], due?: string, authoredOn = '2026-11-24T16:30:00+09:00'): Task => ({
  resourceType: 'Task',
  id,
  status,
  intent: 'order',
  code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'discharge-summary' }] },
  focus: { reference: focus },
  for: { reference: 'Patient/p1' },
  owner: { reference: owner },
  authoredOn,
  ...(due ? { restriction: { period: { end: due } } } : {}),
});

describe('送信済み', () => {
  it('searches the discharge hand-offs requested by the organisation’s roles', () => {
    expect(decodeURIComponent(sentTasksSearch(['PractitionerRole/a', 'PractitionerRole/b']))).toContain(
      'code=http://renkei.example.jp/fhir/CodeSystem/handoff|discharge-summary&requester=PractitionerRole/a,PractitionerRole/b',
    );
  });

  it('groups the Tasks by document, newest first, with each recipient’s state and deadline (overdue when not received in time)', () => {
    const names = new Map([
      ['Patient/p1', '高橋 キヨ'],
      ['PractitionerRole/cm', '佐々木 和子（介護支援専門員）'],
    ]);
    const docs = sentDocuments(
      [
        task('t1', 'Bundle/b1', 'PractitionerRole/cm', 'requested', '2026-11-27T23:59:59+09:00'),
        task('t2', 'Bundle/b1', 'Organization/vns', 'received', '2026-11-27T23:59:59+09:00'),
        task('t3', 'Bundle/b2', 'PractitionerRole/cm', 'requested', '2026-12-02T23:59:59+09:00', '2026-11-28T10:00:00+09:00'),
      ],
      names,
      NOW,
    );
    expect(docs.map((d) => d.bundleId)).toEqual(['b2', 'b1']);
    expect(docs[0].recipients[0].deadline!.label).toBe('残り3日（期限 2026年12月2日(水)）');
    expect(docs[1].patient).toBe('高橋 キヨ');
    expect(docs[1].recipients.map((r) => [r.owner, r.status, r.deadline!.overdue])).toEqual([
      ['佐々木 和子（介護支援専門員）', '送信済み（未受領）', true],
      ['Organization/vns', '受領', false],
    ]);
    expect(docs[1].overdue).toBe(true);
    expect(docs[0].overdue).toBe(false);
  });
});
