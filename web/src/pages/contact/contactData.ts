import type { Bundle, CareTeam, Communication, FhirResource, Patient, PractitionerRole, Task } from 'fhir/r4';
import type { FhirClient } from '../../fhir/client';
import type { PickedReference } from '../../forms/answers';
import { isContactFormAnswer } from '../../forms/contactFormBuilder';
import { pickedOf, recordsById, rolesSearch, teamCandidates } from '../../forms/prefill';
import type { DeadlineState } from '../patient/format';
import { taskDeadline } from '../patient/timeline';
import { CONTACT_FORM_CATEGORY, taskStateLabel } from '../inbox/inboxData';

// 主治医・ケアマネジャー連絡票: the care team to address, the questions the user sent with each recipient's state,
// and a question's answers (docs/web-app.md §9).

export const CONTACT_TASK_CODE = 'http://renkei.example.jp/fhir/CodeSystem/handoff|contact-form';

const query = (type: string, params: Record<string, string>) => `${type}?${new URLSearchParams(params).toString()}`;
const resources = (bundle: Bundle): FhirResource[] => (bundle.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => Boolean(r));

/**
 * The patient's care team as recipients to choose (roles with their practitioner and organisation), the patient's
 * home doctor (`Patient.generalPractitioner`, when on the team) chosen first.
 */
export async function contactTeam(client: FhirClient, patient: Patient, signal?: AbortSignal): Promise<{ team: PickedReference[]; preselected: PickedReference[] }> {
  const found = await client.request<Bundle>('GET', query('CareTeam', { patient: `Patient/${patient.id}`, status: 'active', _include: 'CareTeam:participant' }), undefined, {}, signal);
  const all = resources(found);
  let team = teamCandidates(all.filter((r): r is CareTeam => r.resourceType === 'CareTeam'), recordsById(all));
  const roleIds = team.filter((p) => p.resource.resourceType === 'PractitionerRole').map((p) => p.resource.id!);
  if (roleIds.length > 0) {
    const roles = resources(await client.request<Bundle>('GET', `${rolesSearch(roleIds)}&_include=PractitionerRole:organization`, undefined, {}, signal));
    const records = recordsById([...roles, ...team.map((p) => p.resource)]);
    team = team.map((p) => (p.resource.resourceType === 'PractitionerRole' ? pickedOf(p.resource as PractitionerRole, records) : p));
  }
  const doctors = new Set((patient.generalPractitioner ?? []).map((r) => r.reference));
  return { team, preselected: team.filter((p) => doctors.has(p.reference)) };
}

/** The contact-form Tasks the user's roles requested (one per recipient of each question they sent). */
export function sentContactFormsSearch(roleRefs: readonly string[]): string {
  return query('Task', { code: CONTACT_TASK_CODE, requester: roleRefs.join(','), _sort: '-_lastUpdated', _count: '100' });
}

export interface RecipientState {
  task: Task;
  recipient: string;
  state: string;
  deadline?: DeadlineState;
}

export interface SentQuestion {
  /** the question's id */
  id: string;
  question?: Communication;
  patient: string;
  topic: string;
  sentAt: string;
  recipients: RecipientState[];
  /** every recipient answered */
  answered: boolean;
  overdue: boolean;
}

/** The questions, newest first, each with its recipients' states (未読, 既読, 回答済み) and 返信希望日. */
export function sentQuestions(tasks: readonly Task[], questions: readonly Communication[], names: ReadonlyMap<string, string>, now: number): SentQuestion[] {
  const byFocus = new Map<string, Task[]>();
  for (const task of tasks) {
    const focus = task.focus?.reference ?? '';
    if (focus.startsWith('Communication/')) byFocus.set(focus, [...(byFocus.get(focus) ?? []), task]);
  }
  return [...byFocus.entries()]
    .map(([focus, group]) => {
      const id = focus.slice('Communication/'.length);
      const question = questions.find((q) => q.id === id);
      const recipients = group.map((task) => ({
        task,
        recipient: task.owner?.display || names.get(task.owner?.reference ?? '') || task.owner?.reference || '',
        state: taskStateLabel(task),
        deadline: taskDeadline(task, now),
      }));
      const subject = question?.subject ?? group[0].for;
      return {
        id,
        ...(question ? { question } : {}),
        patient: subject?.display || names.get(subject?.reference ?? '') || '',
        topic: question?.topic?.text || question?.payload?.[0]?.contentString?.split('\n')[0]?.slice(0, 40) || '主治医・ケアマネジャー連絡票',
        sentAt: question?.sent ?? group.map((t) => t.authoredOn ?? '').sort()[0] ?? '',
        recipients,
        answered: group.every((t) => t.status === 'completed'),
        overdue: recipients.some((r) => r.deadline?.overdue),
      };
    })
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}

/**
 * The contact forms of the question's patient, to find its answers (the hub has no search by `inResponseTo`; R4
 * defines none): `Communication?subject=…&category=…contact-form`.
 */
export function patientContactFormsSearch(patientRef: string): string {
  return query('Communication', { subject: patientRef, category: CONTACT_FORM_CATEGORY, _sort: '-sent', _count: '100' });
}

/** The answers to a question, oldest first (a thread reads downwards). */
export function answersTo(questionId: string, messages: readonly Communication[]): Communication[] {
  return messages
    .filter((m) => isContactFormAnswer(m) && (m.inResponseTo ?? []).some((r) => r.reference === `Communication/${questionId}`))
    .sort((a, b) => (a.sent ?? '').localeCompare(b.sent ?? ''));
}
