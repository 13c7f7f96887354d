import type { Task } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { unansweredOf, unansweredSearch } from './unanswered';

const me = { organization: 'org-homecare', practitionerRole: 'role-physician-home', practitioner: 'prac-physician-home' };
const NOW = Date.parse('2026-12-07T03:00:00Z');
const task = (id: string, over: Partial<Task>): Task => ({
  resourceType: 'Task',
  id,
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'contact-form' }] },
  owner: { reference: 'PractitionerRole/role-physician-home' },
  focus: { reference: `Communication/q-${id}` },
  for: { reference: 'Patient/pat-yamada', display: '山田 花子' },
  requester: { reference: 'PractitionerRole/role-care-manager', display: '佐々木 和子' },
  ...over,
});

describe('the physician home’s unanswered contact forms', () => {
  it('asks the hub for the open contact-form Tasks addressed to him, his role or his organisation', () => {
    expect(decodeURIComponent(unansweredSearch(me)!)).toBe(
      'Task?owner=Organization/org-homecare,PractitionerRole/role-physician-home,Practitioner/prac-physician-home&code=http://renkei.example.jp/fhir/CodeSystem/handoff|contact-form&status=requested,received,accepted,in-progress&_count=100',
    );
    expect(unansweredSearch({})).toBeUndefined();
  });

  it('counts his own open ones (not a colleague’s, not answered ones), overdue first', () => {
    const tasks = [
      task('later', { restriction: { period: { end: '2026-12-10T14:59:59Z' } } }),
      task('overdue', { status: 'received', restriction: { period: { end: '2026-12-05T14:59:59Z' } } }),
      task('answered', { status: 'completed' }),
      task('colleague', { owner: { reference: 'PractitionerRole/role-visiting-nurse' } }),
      task('handoff', { code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'discharge-summary' }] } }),
    ];
    const result = unansweredOf(tasks, me, NOW);
    expect(result.count).toBe(2);
    expect(result.overdue).toBe(1);
    expect(result.first?.key).toBe('Task/overdue');
    expect(result.first?.link).toBe('/contact-forms/q-overdue');
  });
});
