import type { Task } from 'fhir/r4';
import { CONTACT_TASK_CODE } from '../contact/contactData';
import { OPEN_STATUSES, addressesOf, inboxItems, sortInbox, type Addressee, type InboxItem } from '../inbox/inboxData';

// The home doctor's home: the contact forms still waiting for his answer, so he sees them where his day starts and
// opens the first one (the most urgent: overdue first, then the earliest 返信希望日) in one click.

export function unansweredSearch(me: Addressee): string | undefined {
  const owners = addressesOf(me).join(',');
  if (!owners) return undefined;
  return `Task?${new URLSearchParams({ owner: owners, code: CONTACT_TASK_CODE, status: OPEN_STATUSES.join(','), _count: '100' }).toString()}`;
}

export interface Unanswered {
  count: number;
  overdue: number;
  /** the most urgent one */
  first?: InboxItem;
}

/** The contact forms addressed to the user (not to a colleague of the organisation) that are not answered yet. */
export function unansweredOf(tasks: readonly Task[], me: Addressee, now: number): Unanswered {
  const items = sortInbox(inboxItems(tasks, [], me, new Map(), now).filter((i) => i.kind === 'contact-form'));
  return { count: items.length, overdue: items.filter((i) => i.deadline?.overdue).length, first: items[0] };
}
