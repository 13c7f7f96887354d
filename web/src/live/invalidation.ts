import type { QueryKey } from '@tanstack/react-query';
import type { LiveEvent } from './LiveClient';

/**
 * Query keys of the app that show live data. Queries key on the resource type first (`['Task', …]`), or on
 * {@link PATIENT_PAGE} for the patient page's combined queries, so an event can name what it makes stale.
 */
export const PATIENT_PAGE = 'patient-page';

const TOPIC_TYPES: Record<string, readonly string[]> = {
  'care-document': ['Bundle', 'Composition', 'DocumentReference'],
  'handoff-task': ['Task'],
  'overdue-handoff': ['Task'],
  communication: ['Communication'],
  'break-glass': ['Communication'],
  'flagged-observation': ['Observation'],
};

/**
 * The query keys (prefixes) an event makes stale. An id-only notification names the record, not its patient, so
 * every patient page's timeline is marked stale; TanStack Query refetches only those on screen.
 */
export function staleKeys(event: Pick<LiveEvent, 'topic' | 'focus'>): QueryKey[] {
  const types = new Set(TOPIC_TYPES[event.topic] ?? []);
  if (event.focus) {
    types.add(event.focus.type);
  }
  const keys: QueryKey[] = [...types].sort().map((type) => [type]);
  keys.push([PATIENT_PAGE, 'timeline']);
  if (event.topic === 'care-document') {
    keys.push([PATIENT_PAGE, 'summary']); // the emergency sheet and advance-directive markers
  }
  if (event.topic === 'flagged-observation') {
    keys.push([PATIENT_PAGE, 'vitals']); // the trend chart
  }
  if (event.focus) {
    keys.push([PATIENT_PAGE, 'record', event.focus.type, event.focus.id]);
  }
  return keys;
}
