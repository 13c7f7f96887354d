import { describe, expect, it } from 'vitest';
import type { Bundle, Communication, FhirResource, Observation, Task } from 'fhir/r4';
import { mergeTimeline, observationValue, taskDeadline, toEntry, type TimelinePage } from './timeline';

const NOW = Date.parse('2026-11-23T12:00:00+09:00');
const names = new Map([['PractitionerRole/role-msw', '加藤 大輔']]);

function meta(minute: number) {
  return { lastUpdated: new Date(Date.parse('2026-11-23T00:00:00Z') + minute * 60_000).toISOString() };
}

function observation(id: string, minute: number): Observation {
  return { resourceType: 'Observation', id, meta: meta(minute), status: 'final', code: { text: '体温' }, valueQuantity: { value: 36.8, unit: '℃' } };
}

function task(id: string, minute: number, extra: Partial<Task> = {}): Task {
  return { resourceType: 'Task', id, meta: meta(minute), status: 'requested', intent: 'order', ...extra };
}

describe('toEntry', () => {
  it('shows a document Bundle by its Composition, with the author found inside the document', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      id: 'b1',
      meta: meta(1),
      type: 'document',
      entry: [
        {
          fullUrl: 'urn:uuid:c',
          resource: {
            resourceType: 'Composition',
            status: 'final',
            type: { text: '退院時情報提供書' },
            date: '2026-11-23',
            title: '退院時情報提供書（退院シート）',
            author: [{ reference: 'urn:uuid:role' }],
          } as FhirResource,
        },
        { fullUrl: 'urn:uuid:role', resource: { resourceType: 'PractitionerRole', practitioner: { display: '千葉 直子' } } as FhirResource },
      ],
    };
    expect(toEntry(bundle, names, NOW)).toMatchObject({ key: 'Bundle/b1', kind: 'document', title: '退院時情報提供書（退院シート）', author: '千葉 直子' });
    expect(toEntry({ resourceType: 'Bundle', id: 'x', type: 'collection' }, names, NOW)).toBeUndefined();
  });

  it('shows a hand-off Task with its kind, state in Japanese, addressee, requester (by the team names) and deadline', () => {
    const entry = toEntry(
      task('t1', 2, {
        code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'discharge-summary' }] },
        owner: { display: 'いわて在宅ケアセンター' },
        requester: { reference: 'PractitionerRole/role-msw' },
        restriction: { period: { end: '2026-11-25T23:59:59+09:00' } },
      }),
      names,
      NOW,
    );
    expect(entry).toMatchObject({
      kind: 'handoff',
      title: '退院時情報提供書の送付',
      author: '加藤 大輔',
      status: '送信済み（未受領）',
      summary: '宛先: いわて在宅ケアセンター・送信済み（未受領）',
      deadline: { daysLeft: 2, overdue: false, label: '残り2日（期限 2026年11月25日(水)）' },
    });
  });

  it('tells a contact form from a message and shows a vital sign with value and unit', () => {
    const form: Communication = {
      resourceType: 'Communication',
      id: 'c1',
      meta: meta(3),
      status: 'completed',
      category: [{ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/care-document', code: 'contact-form' }] }],
      topic: { text: '入浴について' },
      sender: { display: '佐々木 和子' },
      payload: [{ contentString: '入浴を再開してよいでしょうか。\n2行目' }],
    };
    expect(toEntry(form, names, NOW)).toMatchObject({ kind: 'contact-form', title: '入浴について', author: '佐々木 和子', summary: '入浴を再開してよいでしょうか。' });
    expect(toEntry({ ...form, category: [], topic: undefined }, names, NOW)).toMatchObject({ kind: 'message', title: '入浴を再開してよいでしょうか。' });
    expect(toEntry(observation('o1', 4), names, NOW)).toMatchObject({ kind: 'observation', title: '体温', summary: '36.8℃' });
  });
});

describe('observationValue', () => {
  it('writes blood pressure as systolic/diastolic with the unit once', () => {
    const bp: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: '血圧' },
      component: [
        { code: { text: '収縮期' }, valueQuantity: { value: 128, unit: 'mmHg' } },
        { code: { text: '拡張期' }, valueQuantity: { value: 76, unit: 'mmHg' } },
      ],
    };
    expect(observationValue(bp)).toBe('128/76mmHg');
    expect(observationValue({ resourceType: 'Observation', status: 'final', code: {}, valueCodeableConcept: { text: 'きざみ食' } })).toBe('きざみ食');
  });
});

describe('taskDeadline', () => {
  const due = { restriction: { period: { end: '2026-11-20T23:59:59+09:00' } } };
  const handoff = { code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'discharge-summary' }] } };
  const business = (code: string) => ({ businessStatus: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff-status', code }] } });

  it('is overdue while a hand-off past its deadline is undelivered', () => {
    expect(taskDeadline(task('t', 0, { ...due, ...handoff }), NOW)).toMatchObject({ overdue: true, label: '期限超過 3日（期限 2026年11月20日(金)）' });
  });

  it('is met once the addressee received it, saying whether in time', () => {
    expect(taskDeadline(task('t', 0, { ...due, ...handoff, status: 'received', ...business('delivered-late') }), NOW)).toMatchObject({
      overdue: false,
      label: '期限 2026年11月20日(金)・期限後に送達',
    });
  });

  it('keeps a contact form open until it is answered (completed)', () => {
    const form = { code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'contact-form' }] } };
    expect(taskDeadline(task('t', 0, { ...due, ...form, status: 'received' }), NOW)?.overdue).toBe(true);
    expect(taskDeadline(task('t', 0, { ...due, ...form, status: 'completed' }), NOW)?.overdue).toBe(false);
    expect(taskDeadline(task('t', 0, form), NOW)).toBeUndefined();
  });
});

describe('mergeTimeline', () => {
  const page = (sources: TimelinePage) => sources;

  it('merges every type newest first', () => {
    const merged = mergeTimeline(
      [page({ Observation: { resources: [observation('o2', 5), observation('o1', 1)] }, Task: { resources: [task('t1', 3)] }, Bundle: { resources: [] } })],
      names,
      NOW,
    );
    expect(merged.entries.map((e) => e.key)).toEqual(['Observation/o2', 'Task/t1', 'Observation/o1']);
    expect(merged.next).toBeUndefined();
  });

  it('holds back what is older than the last loaded record of a type with more pages, and names that page next', () => {
    const first = page({
      Observation: { resources: [observation('o9', 90), observation('o8', 80)], next: 'http://h/fhir?_getpages=a&_getpagesoffset=2' },
      Task: { resources: [task('t7', 70), task('t1', 10)] },
    });
    const merged = mergeTimeline([first], names, NOW);
    expect(merged.entries.map((e) => e.key)).toEqual(['Observation/o9', 'Observation/o8']);
    expect(merged.next).toEqual({ type: 'Observation', link: 'http://h/fhir?_getpages=a&_getpagesoffset=2' });

    const second = page({ Observation: { resources: [observation('o5', 50), observation('o8', 85)] } });
    const after = mergeTimeline([first, second], names, NOW);
    expect(after.entries.map((e) => e.key)).toEqual(['Observation/o9', 'Observation/o8', 'Task/t7', 'Observation/o5', 'Task/t1']);
    // a record changed between two pages is shown once, as its newest version
    expect(after.entries.find((e) => e.key === 'Observation/o8')?.time).toBe(meta(85).lastUpdated);
    expect(after.next).toBeUndefined();
  });

  it('lists the types the hub refused without failing the rest', () => {
    const merged = mergeTimeline([page({ Observation: { resources: [], refused: 'この操作は許可されていません。' }, Task: { resources: [task('t', 1)] } })], names, NOW);
    expect(merged.refused).toEqual([{ type: 'Observation', reason: 'この操作は許可されていません。' }]);
    expect(merged.entries).toHaveLength(1);
  });

  it('merges 200 entries of six types in order', () => {
    const resources: Record<string, FhirResource[]> = {};
    for (let i = 0; i < 200; i++) {
      (resources[i % 2 ? 'Observation' : 'Task'] ??= []).push(i % 2 ? observation(`o${i}`, i) : task(`t${i}`, i));
    }
    Object.values(resources).forEach((list) => list.reverse());
    const merged = mergeTimeline([page({ Observation: { resources: resources.Observation }, Task: { resources: resources.Task } })], names, NOW);
    expect(merged.entries).toHaveLength(200);
    expect(merged.entries[0].key).toBe('Observation/o199');
    expect(merged.entries[199].key).toBe('Task/t0');
  });
});
