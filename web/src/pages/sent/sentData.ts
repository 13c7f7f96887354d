import type { Task } from 'fhir/r4';
import { taskDeadline, TASK_STATUS_LABELS } from '../patient/timeline';
import type { DeadlineState } from '../patient/format';

// 送信済み: the hand-off Tasks the user's organisation opened by sending documents, one row per document (the
// Tasks' focus) with each recipient's state and fee-rule deadline.

export const DISCHARGE_TASK_CODE = 'http://renkei.example.jp/fhir/CodeSystem/handoff|discharge-summary';

/** The Tasks the organisation's people requested: their roles (the hub records the sender's role as requester). */
export function sentTasksSearch(roleRefs: readonly string[]): string {
  return `Task?${new URLSearchParams({
    code: DISCHARGE_TASK_CODE,
    requester: roleRefs.join(','),
    _sort: '-_lastUpdated',
    _count: '100',
  }).toString()}`;
}

export interface SentRecipient {
  task: Task;
  owner: string;
  status: string;
  deadline?: DeadlineState;
}

export interface SentDocument {
  /** Bundle/{id} */
  focus: string;
  bundleId: string;
  patient: string;
  sentAt: string;
  recipients: SentRecipient[];
  /** the nearest open deadline of the document, for sorting and the row's badge */
  overdue: boolean;
}

export function sentDocuments(tasks: readonly Task[], names: ReadonlyMap<string, string>, now: number): SentDocument[] {
  const byFocus = new Map<string, Task[]>();
  for (const task of tasks) {
    const focus = task.focus?.reference;
    if (!focus?.startsWith('Bundle/')) continue;
    byFocus.set(focus, [...(byFocus.get(focus) ?? []), task]);
  }
  return [...byFocus.entries()]
    .map(([focus, group]) => {
      const recipients = group.map((task) => ({
        task,
        owner: task.owner?.display || names.get(task.owner?.reference ?? '') || task.owner?.reference || '',
        status: TASK_STATUS_LABELS[task.status] ?? task.status,
        deadline: taskDeadline(task, now),
      }));
      const first = group.map((t) => t.authoredOn ?? '').sort()[0] ?? '';
      return {
        focus,
        bundleId: focus.slice('Bundle/'.length),
        patient: group[0].for?.display || names.get(group[0].for?.reference ?? '') || '',
        sentAt: first,
        recipients,
        overdue: recipients.some((r) => r.deadline?.overdue),
      };
    })
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}
