import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4';
import { UNUSUAL_INTERPRETATION } from '../../visit/visitBundle';
import { observationValue, toEntry, unusualFirst } from './timeline';

const now = Date.parse('2026-12-07T03:00:00Z');

function observation(id: string, lastUpdated: string, unusual: boolean): Observation {
  return {
    resourceType: 'Observation',
    id,
    meta: { lastUpdated },
    status: 'final',
    code: { text: '体温' },
    valueQuantity: { value: 37.9, unit: '℃' },
    ...(unusual ? { interpretation: [UNUSUAL_INTERPRETATION] } : {}),
  };
}

describe('unusualFirst', () => {
  it('puts the entries marked いつもと違う in the last week first, newest first, then the rest in order', () => {
    const entries = [
      observation('new', '2026-12-07T02:00:00Z', false),
      observation('flag-today', '2026-12-07T01:00:00Z', true),
      observation('mid', '2026-12-06T00:00:00Z', false),
      observation('flag-yesterday', '2026-12-05T00:00:00Z', true),
      observation('flag-old', '2026-11-20T00:00:00Z', true),
    ].map((o) => toEntry(o, new Map(), now)!);
    expect(entries.map((e) => e.unusual ?? false)).toEqual([false, true, false, true, true]);
    expect(unusualFirst(entries, now).map((e) => e.id)).toEqual(['flag-today', 'flag-yesterday', 'new', 'mid', 'flag-old']);
  });

  it('shows 排泄 as あり/なし', () => {
    expect(
      observationValue({
        resourceType: 'Observation',
        status: 'final',
        code: { text: '排泄' },
        component: [
          { code: { text: '排尿' }, valueBoolean: true },
          { code: { text: '排便' }, valueBoolean: false },
        ],
      }),
    ).toBe('排尿あり・排便なし');
  });
});
