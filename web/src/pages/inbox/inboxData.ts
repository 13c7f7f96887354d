import type { Communication, Task } from 'fhir/r4';
import { isContactFormAnswer } from '../../forms/contactFormBuilder';
import type { DeadlineState } from '../patient/format';
import { HANDOFF_LABELS, TASK_STATUS_LABELS, taskDeadline } from '../patient/timeline';

// 受信箱: the hand-off Tasks addressed to the user (to them, their role or their organisation) and the contact-form
// answers sent to them, merged into one list sorted by deadline (docs/web-app.md §9).

const HANDOFF = 'http://renkei.example.jp/fhir/CodeSystem/handoff';
export const CONTACT_FORM_CATEGORY = 'http://renkei.example.jp/fhir/CodeSystem/care-document|contact-form';
/** The states in which a hand-off still asks something of its addressee. */
export const OPEN_STATUSES = ['requested', 'received', 'accepted', 'in-progress'] as const;

/** Who the user is to the hub: the references a Task's owner or a message's recipient may name them by. */
export interface Addressee {
  organization?: string;
  practitionerRole?: string;
  practitioner?: string;
}

export function addressesOf(me: Addressee): string[] {
  return [
    me.organization && `Organization/${me.organization}`,
    me.practitionerRole && `PractitionerRole/${me.practitionerRole}`,
    me.practitioner && `Practitioner/${me.practitioner}`,
  ].filter((r): r is string => Boolean(r));
}

const query = (type: string, params: Record<string, string>) => `${type}?${new URLSearchParams(params).toString()}`;

/**
 * One batch: the organisation's inbox (`Task?owner=Organization/{id}` also finds what is addressed to its people,
 * workflow.md "Inbox"; the user's role and practitioner are named too, for a user without an organisation) in the
 * open states, and the contact forms sent to the user.
 */
export function inboxSearches(me: Addressee): string[] {
  const owners = addressesOf(me).join(',');
  if (!owners) return [];
  return [
    query('Task', { owner: owners, status: OPEN_STATUSES.join(','), _sort: '-_lastUpdated', _count: '100' }),
    query('Communication', { recipient: owners, category: CONTACT_FORM_CATEGORY, _sort: '-sent', _count: '50' }),
  ];
}

export type InboxKind = 'handoff' | 'contact-form' | 'answer';

export interface InboxItem {
  /** Type/id */
  key: string;
  kind: InboxKind;
  /** 退院時情報提供書, 主治医・ケアマネジャー連絡票, 連絡票の回答 */
  kindLabel: string;
  patient: string;
  patientId?: string;
  sender: string;
  /** when it reached the user (the Task's authoredOn, the answer's sent) */
  receivedAt: string;
  /** the state in Japanese */
  state: string;
  deadline?: DeadlineState;
  /** where it opens in the app */
  link: string;
  /** nothing done with it yet (a Task still requested) */
  fresh: boolean;
  resource: Task | Communication;
}

function handoffCode(task: Task): string | undefined {
  return task.code?.coding?.find((c) => c.system === HANDOFF)?.code;
}

/** A contact form's states read as the form's: 未読 → 既読 → 回答済み (workflow.md "The contact form"). */
export const CONTACT_FORM_STATUS_LABELS: Record<string, string> = {
  requested: '未読',
  received: '既読',
  accepted: '既読',
  'in-progress': '既読',
  completed: '回答済み',
  cancelled: '取消',
  rejected: '辞退',
  failed: '不成立',
};

/** A hand-off Task's state in Japanese, as its addressee reads it. */
export function taskStateLabel(task: Task): string {
  if (handoffCode(task) === 'contact-form') {
    return CONTACT_FORM_STATUS_LABELS[task.status] ?? TASK_STATUS_LABELS[task.status] ?? task.status;
  }
  return task.status === 'requested' ? '未受領' : (TASK_STATUS_LABELS[task.status] ?? task.status);
}

function label(reference: { display?: string; reference?: string } | undefined, names: ReadonlyMap<string, string>): string {
  return reference?.display?.trim() || names.get(reference?.reference ?? '') || '';
}

/**
 * The inbox's rows: hand-off Tasks whose owner is one of the user's addresses (the organisation's inbox also
 * returns what the user may read of colleagues' and of their patients' Tasks: those are not the user's to act on)
 * and contact-form answers addressed to the user; each once.
 */
export function inboxItems(tasks: readonly Task[], messages: readonly Communication[], me: Addressee, names: ReadonlyMap<string, string>, now: number): InboxItem[] {
  const mine = new Set(addressesOf(me));
  const items = new Map<string, InboxItem>();
  for (const task of tasks) {
    const code = handoffCode(task);
    if (!task.id || !code || !mine.has(task.owner?.reference ?? '') || !(OPEN_STATUSES as readonly string[]).includes(task.status)) continue;
    const contactForm = code === 'contact-form';
    const patientId = task.for?.reference?.startsWith('Patient/') ? task.for.reference.slice('Patient/'.length) : undefined;
    const focus = task.focus?.reference ?? '';
    items.set(`Task/${task.id}`, {
      key: `Task/${task.id}`,
      kind: contactForm ? 'contact-form' : 'handoff',
      kindLabel: contactForm ? '主治医・ケアマネジャー連絡票' : (HANDOFF_LABELS[code] ?? '引き継ぎ').replace(/の送付$/, ''),
      patient: label(task.for, names),
      ...(patientId ? { patientId } : {}),
      sender: label(task.requester, names),
      receivedAt: task.authoredOn ?? task.meta?.lastUpdated ?? '',
      state: taskStateLabel(task),
      deadline: taskDeadline(task, now),
      link: contactForm && focus.startsWith('Communication/') ? `/contact-forms/${focus.slice('Communication/'.length)}` : `/inbox/tasks/${task.id}`,
      fresh: task.status === 'requested',
      resource: task,
    });
  }
  for (const message of messages) {
    if (!message.id || !isContactFormAnswer(message) || !(message.recipient ?? []).some((r) => mine.has(r.reference ?? ''))) continue;
    const question = message.inResponseTo?.[0]?.reference ?? '';
    const patientId = message.subject?.reference?.startsWith('Patient/') ? message.subject.reference.slice('Patient/'.length) : undefined;
    items.set(`Communication/${message.id}`, {
      key: `Communication/${message.id}`,
      kind: 'answer',
      kindLabel: '連絡票の回答',
      patient: label(message.subject, names),
      ...(patientId ? { patientId } : {}),
      sender: label(message.sender, names),
      receivedAt: message.sent ?? message.meta?.lastUpdated ?? '',
      state: '回答あり',
      link: question.startsWith('Communication/') ? `/contact-forms/${question.slice('Communication/'.length)}` : `/patients/${patientId ?? ''}`,
      fresh: false,
      resource: message,
    });
  }
  return sortInbox([...items.values()]);
}

const time = (iso: string) => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
};

/**
 * By deadline: first what has an open deadline, the earliest due first (so every overdue one comes before every one
 * still in time); then the rest, newest first. Equal ones keep a fixed order (by key).
 */
export function sortInbox(items: readonly InboxItem[]): InboxItem[] {
  const open = (i: InboxItem) => Boolean(i.deadline && !i.deadline.met);
  return [...items].sort((a, b) => {
    if (open(a) !== open(b)) return open(a) ? -1 : 1;
    if (open(a) && open(b)) {
      const byDue = time(a.deadline!.due) - time(b.deadline!.due);
      if (byDue !== 0) return byDue;
      if (a.deadline!.overdue !== b.deadline!.overdue) return a.deadline!.overdue ? -1 : 1;
    }
    return time(b.receivedAt) - time(a.receivedAt) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  });
}

/** The references whose names the rows need and the records do not give (patients, senders). */
export function referencesToName(tasks: readonly Task[], messages: readonly Communication[]): string[] {
  const refs = new Set<string>();
  for (const t of tasks) for (const r of [t.for, t.requester]) if (r?.reference && !r.display) refs.add(r.reference);
  for (const m of messages) for (const r of [m.subject, m.sender]) if (r?.reference && !r.display) refs.add(r.reference);
  return [...refs].sort();
}

/** The keys of rows that were not in the list before: what a live update brought (new arrivals only, not changes). */
export function newArrivals(before: ReadonlySet<string> | undefined, items: readonly InboxItem[]): InboxItem[] {
  if (!before) return [];
  return items.filter((i) => !before.has(i.key));
}
