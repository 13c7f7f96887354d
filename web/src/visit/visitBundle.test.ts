import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4';
import { buildVisitBundle, filledItems, isUnusual, newVisitIds, VISIT_ITEMS, type VisitAnswers } from './visitBundle';

let n = 0;
const ids = newVisitIds(() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
const ctx = { patientId: 'pat-yamada', effective: '2026-12-07T10:00:00+09:00', performer: { reference: 'PractitionerRole/role-vn', display: '加藤 美咲' } };
const full: VisitAnswers = {
  temperature: '37.9',
  systolic: '128',
  diastolic: '76',
  pulse: '88',
  spo2: '95',
  respiration: '18',
  consciousness: 'I-1',
  mealIntake: '8',
  urination: 'yes',
  defecation: 'no',
  note: '  いつもより口数が少ない。  ',
  unusual: ['temperature', 'note'],
};

function resources(answers: VisitAnswers): Observation[] {
  return (buildVisitBundle(answers, ids, ctx).entry ?? []).map((e) => e.resource as Observation);
}

describe('buildVisitBundle', () => {
  it('is one transaction of conditional creates, each on its own urn:uuid identifier', () => {
    const bundle = buildVisitBundle(full, ids, ctx);
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry).toHaveLength(9);
    for (const [i, entry] of (bundle.entry ?? []).entries()) {
      const id = ids[VISIT_ITEMS[i]];
      expect(id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(entry.fullUrl).toBe(id);
      expect((entry.resource as Observation).identifier).toEqual([{ system: 'urn:ietf:rfc:3986', value: id }]);
      expect(entry.request).toEqual({ method: 'POST', url: 'Observation', ifNoneExist: `identifier=urn:ietf:rfc:3986|${id}` });
    }
    expect(new Set(VISIT_ITEMS.map((i) => ids[i])).size).toBe(9);
    // built again (a retry): the same Bundle
    expect(buildVisitBundle(full, ids, ctx)).toEqual(bundle);
  });

  it('writes standard vital signs: LOINC codes, UCUM units, category vital-signs', () => {
    const [temperature, pressure, pulse, spo2, respiration, consciousness] = resources(full);
    const vital = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }], text: 'バイタルサイン' };
    for (const o of [temperature, pressure, pulse, spo2, respiration, consciousness]) {
      expect(o.category).toEqual([vital]);
      expect(o.status).toBe('final');
      expect(o.subject).toEqual({ reference: 'Patient/pat-yamada' });
      expect(o.effectiveDateTime).toBe(ctx.effective);
      expect(o.performer).toEqual([ctx.performer]);
    }
    expect(temperature.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '8310-5' });
    expect(temperature.valueQuantity).toEqual({ value: 37.9, unit: '℃', system: 'http://unitsofmeasure.org', code: 'Cel' });
    expect(pressure.code.coding?.[0].code).toBe('85354-9');
    expect(pressure.valueQuantity).toBeUndefined();
    expect(pressure.component?.map((c) => [c.code.coding?.[0].code, c.valueQuantity?.value, c.valueQuantity?.code])).toEqual([
      ['8480-6', 128, 'mm[Hg]'],
      ['8462-4', 76, 'mm[Hg]'],
    ]);
    expect([pulse.code.coding?.[0].code, pulse.valueQuantity?.code]).toEqual(['8867-4', '/min']);
    expect(spo2.code.coding?.map((c) => c.code)).toEqual(['59408-5', '2708-6']);
    expect(spo2.valueQuantity?.code).toBe('%');
    expect([respiration.code.coding?.[0].code, respiration.valueQuantity?.value]).toEqual(['9279-1', 18]);
    expect(consciousness.code.coding?.[0].code).toBe('80288-4');
    expect(consciousness.valueCodeableConcept).toMatchObject({ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/jcs', code: 'I-1' }], text: 'JCS I-1' });
  });

  it('writes 食事量, 排泄 and the note with kinds the care team reads', () => {
    const [, , , , , , meal, elimination, note] = resources(full);
    expect(meal.category?.[0].coding?.[0]).toMatchObject({ system: 'http://renkei.example.jp/fhir/CodeSystem/care-topic', code: 'daily-living' });
    expect(meal.valueQuantity).toEqual({ value: 80, unit: '%', system: 'http://unitsofmeasure.org', code: '%' });
    expect(elimination.category?.[0].coding?.[0].code).toBe('daily-living');
    expect(elimination.component?.map((c) => [c.code.coding?.[0].code, c.valueBoolean])).toEqual([
      ['urination', true],
      ['defecation', false],
    ]);
    expect(note.category?.[0].coding?.[0].code).toBe('care-coordination');
    expect(note.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '34109-9' });
    expect(note.valueString).toBe('いつもより口数が少ない。');
  });

  it('flags only the items marked いつもと違う', () => {
    const flagged = resources(full).filter(isUnusual).map((o) => o.code.text);
    expect(flagged).toEqual(['体温', '訪問時の記録']);
    expect(resources(full)[0].interpretation).toEqual([
      { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/observation-flag', code: 'unusual', display: 'いつもと違う' }], text: 'いつもと違う' },
    ]);
  });

  it('sends only what was measured', () => {
    const some: VisitAnswers = { temperature: '36.5', urination: 'yes', note: ' ', unusual: [] };
    expect(filledItems(some)).toEqual(['temperature', 'elimination']);
    const [, elimination] = resources(some);
    expect(elimination.component).toHaveLength(1);
    expect(filledItems({ unusual: [] })).toEqual([]);
  });
});
