import { describe, expect, it } from 'vitest';
import { staleKeys } from './invalidation';

describe('staleKeys', () => {
  it('marks documents, the timelines and the patient headers stale for a care document', () => {
    expect(staleKeys({ topic: 'care-document', focus: { type: 'Bundle', id: 'b1' } })).toEqual([
      ['Bundle'],
      ['Composition'],
      ['DocumentReference'],
      ['patient-page', 'timeline'],
      ['patient-page', 'summary'],
      ['patient-page', 'record', 'Bundle', 'b1'],
    ]);
  });

  it('marks Tasks and the timelines stale for a hand-off, without a focus too', () => {
    expect(staleKeys({ topic: 'handoff-task', focus: { type: 'Task', id: 't1' } })).toEqual([
      ['Task'],
      ['patient-page', 'timeline'],
      ['patient-page', 'record', 'Task', 't1'],
    ]);
    expect(staleKeys({ topic: 'communication' })).toEqual([['Communication'], ['patient-page', 'timeline']]);
  });
});
