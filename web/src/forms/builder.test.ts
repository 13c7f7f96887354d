import type { Bundle, Composition, Condition, Encounter, Observation } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { missingAnswers } from './answers';
import { buildDocument, narrativeOf } from './builder';
import { DISCHARGE_HANDOFF } from './discharge-handoff';
import { context, DRAFT_ID, filledAnswers } from './testSupport';

const example = Object.values(
  import.meta.glob<Bundle>('../../../fhir-profiles/src/main/fhir/Bundle-discharge-handoff-example.json', { eager: true, import: 'default' }),
)[0];

function composition(bundle: Bundle): Composition {
  return bundle.entry![0].resource as Composition;
}
const sectionCodes = (c: Composition) => (c.section ?? []).map((s) => s.code!.coding![0].code);

/** Every literal reference in the document, with the resource it is in. */
function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => references(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') found.push(child);
      else references(child, found);
    }
  }
  return found;
}

describe('buildDocument (answers → the document Bundle of renkei-discharge-handoff-bundle)', () => {
  const { bundle, locator } = buildDocument(DISCHARGE_HANDOFF, filledAnswers(), context());
  const comp = composition(bundle);

  it('is a document with the identifier of the draft, a timestamp and the Composition first, like the example', () => {
    expect(bundle.type).toBe('document');
    expect(bundle.identifier).toEqual({ system: example.identifier!.system, value: `urn:uuid:${DRAFT_ID}` });
    expect(bundle.timestamp).toBe('2026-11-24T16:30:00+09:00');
    expect(bundle.meta!.profile).toEqual(example.meta!.profile);
    expect(comp.resourceType).toBe('Composition');
    expect(comp.meta!.profile).toEqual((example.entry![0].resource as Composition).meta!.profile);
    expect(bundle.entry![1].resource).toMatchObject({ resourceType: 'Patient', id: 'pat-takahashi', name: expect.any(Array), birthDate: '1944-05-03' });
    expect(bundle.entry!.filter((e) => e.resource?.resourceType === 'Composition')).toHaveLength(1);
  });

  it('has the Composition elements of the example: type, status, subject, encounter, author, custodian, title, date', () => {
    const exampleComposition = example.entry![0].resource as Composition;
    expect(comp.type.coding).toEqual(exampleComposition.type.coding);
    expect(comp.status).toBe('final');
    expect(comp.subject).toEqual({ reference: 'Patient/pat-takahashi' });
    expect(comp.author).toEqual([{ reference: 'PractitionerRole/role-msw' }]);
    expect(comp.custodian).toEqual({ reference: 'Organization/org-hospital' });
    expect(comp.title).toBe(exampleComposition.title);
    expect(comp.date).toBe(bundle.timestamp);
    const stay = bundle.entry!.find((e) => `Encounter/${e.resource?.id}` === comp.encounter!.reference)!.resource as Encounter;
    expect(stay).toMatchObject({
      class: { code: 'IMP' },
      period: { start: '2026-10-28', end: '2026-11-27' },
      reasonCode: [{ text: '右大腿骨頸部骨折の手術目的' }],
      hospitalization: { dischargeDisposition: { text: '自宅（長女と同居）' } },
      serviceProvider: { reference: 'Organization/org-hospital' },
    });
  });

  it('names each recipient once as a handoff-recipient extension, in the order chosen', () => {
    expect(comp.extension).toEqual([
      { url: 'http://renkei.example.jp/fhir/StructureDefinition/handoff-recipient', valueReference: { reference: 'PractitionerRole/role-care-manager' } },
      { url: 'http://renkei.example.jp/fhir/StructureDefinition/handoff-recipient', valueReference: { reference: 'Organization/org-homecare' } },
    ]);
  });

  it("has the example's sections in its order, leaving out the optional ones not filled in", () => {
    const exampleCodes = sectionCodes(example.entry![0].resource as Composition);
    expect(sectionCodes(comp)).toEqual(exampleCodes.filter((c) => c !== 'home-environment' && c !== 'discharge-conference'));
    for (const section of comp.section!) {
      expect(section.title).toBeTruthy();
      expect(section.code!.coding![0].system).toBe('http://renkei.example.jp/fhir/CodeSystem/discharge-handoff-section');
      expect(Boolean(section.text || section.entry?.length), section.title).toBe(true);
    }
    expect(locator.sections).toEqual(sectionCodes(comp));
  });

  it('says "none" with emptyReason and text where nothing is entered (medications), and writes text as XHTML', () => {
    const medications = comp.section!.find((s) => s.code!.coding![0].code === 'medications')!;
    expect(medications.entry).toBeUndefined();
    expect(medications.emptyReason!.coding![0].code).toBe('nilknown');
    expect(medications.text!.div).toContain('退院時の処方なし');
    const course = comp.section!.find((s) => s.code!.coding![0].code === 'hospital-course')!;
    expect(course.text!.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>10月30日 人工骨頭置換術。</p><p>リハビリで歩行器歩行まで回復。</p></div>');
    expect(narrativeOf('<b>&').div).toContain('&lt;b&gt;&amp;');
  });

  it('makes coded care Observations with their profiles, and fluid restriction "none" as valueBoolean false', () => {
    const observations = bundle.entry!.map((e) => e.resource).filter((r): r is Observation => r?.resourceType === 'Observation');
    const mobility = observations.find((o) => o.code.coding![0].code === 'mobility')!;
    expect(mobility).toMatchObject({
      meta: { profile: ['http://renkei.example.jp/fhir/StructureDefinition/renkei-adl-observation'] },
      category: [{ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/care-topic', code: 'daily-living' }] }],
      valueCodeableConcept: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/assistance-level', code: 'supervision', display: '見守り' }] },
      effectiveDateTime: '2026-11-24',
      subject: { reference: 'Patient/pat-takahashi' },
    });
    expect(observations.find((o) => o.code.coding![0].code === 'fluid-restriction')!.valueBoolean).toBe(false);
    expect(observations.find((o) => o.code.coding![0].code === 'care-level')!.valueCodeableConcept!.coding![0].code).toBe('pending');
  });

  it("copies the hub's records with the user's edits, keeps their ids, and adds new ones", () => {
    const conditions = bundle.entry!.map((e) => e.resource).filter((r): r is Condition => r?.resourceType === 'Condition');
    expect(conditions.map((c) => c.code!.text)).toEqual(['右大腿骨頸部骨折', '高血圧症']);
    expect(conditions[0]).toMatchObject({ id: 'cond-1', code: { coding: [{ code: 'S72.0' }] }, note: [{ text: '人工骨頭置換術後。脱臼肢位に注意' }] });
    expect(conditions[0].meta).toBeUndefined();
    expect(bundle.entry!.find((e) => e.resource?.id === 'cond-1')!.fullUrl).toBe('http://127.0.0.1:8080/fhir/Condition/cond-1');
  });

  it('is self-contained: every reference names an entry of the document (others keep only their display)', () => {
    const entries = new Set(bundle.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
    const dangling = references(bundle.entry!.map((e) => e.resource)).filter((r) => !entries.has(r));
    expect(dangling).toEqual([]);
    // the role of the author names its practitioner and organisation, copied too
    expect(entries).toContain('Practitioner/prac-msw');
    expect(entries).toContain('Practitioner/prac-care-manager');
    expect(new Set(bundle.entry!.map((e) => e.fullUrl)).size).toBe(bundle.entry!.length);
  });

  it('gives the same Bundle for the same answers and draft (a resend is the same document), a new identifier for a new draft', () => {
    expect(buildDocument(DISCHARGE_HANDOFF, filledAnswers(), context()).bundle).toEqual(bundle);
    const other = buildDocument(DISCHARGE_HANDOFF, filledAnswers(), context({ draft: { id: '11111111-2222-4333-8444-555555555555' } })).bundle;
    expect(other.identifier!.value).toBe('urn:uuid:11111111-2222-4333-8444-555555555555');
    expect(composition(other).id).not.toBe(comp.id);
  });

  it('maps each Bundle entry made by a field back to that field (for the 422 placement)', () => {
    const index = bundle.entry!.findIndex((e) => e.resource?.resourceType === 'Observation' && (e.resource as Observation).code.coding![0].code === 'mobility');
    expect(locator.entries[index]).toBe('adl-mobility');
    expect(locator.entries[1]).toBe('patient');
    expect(locator.sectionEntries['diagnoses']).toEqual(['diagnoses', 'diagnoses']);
  });

  it('sends the optional sections when filled in: home environment as text, the conference as an Encounter of the stay', () => {
    const answers = { ...filledAnswers(), 'home-environment-text': '2階建て、寝室は1階', 'conference-date': '2026-11-20' };
    const built = buildDocument(DISCHARGE_HANDOFF, answers, context()).bundle;
    expect(sectionCodes(composition(built))).toEqual(sectionCodes(example.entry![0].resource as Composition));
    const conference = built.entry!.map((e) => e.resource).find((r) => r?.resourceType === 'Encounter' && r.id?.endsWith('discharge-conference')) as Encounter;
    expect(conference).toMatchObject({
      type: [{ coding: [{ code: 'discharge-conference', display: '退院前カンファレンス' }] }],
      period: { start: '2026-11-20' },
      partOf: { reference: composition(built).encounter!.reference },
      participant: [{ individual: { reference: 'PractitionerRole/role-msw' } }],
    });
  });
});

describe('missingAnswers', () => {
  it('names the required fields left empty, and a required section of optional items with none answered', () => {
    const answers = { ...filledAnswers(), 'wishes-text': '  ', recipients: [], 'adl-mobility': '', 'adl-bathing': '' };
    const missing = missingAnswers(DISCHARGE_HANDOFF, answers);
    expect([...missing.keys()].sort()).toEqual(['adl-mobility', 'recipients', 'wishes-text']);
    expect(missing.get('adl-mobility')).toContain('ADL・IADL');
    expect(missingAnswers(DISCHARGE_HANDOFF, filledAnswers()).size).toBe(0);
    expect([...missingAnswers(DISCHARGE_HANDOFF, answers, new Set(['wishes-text'])).keys()]).toEqual(['wishes-text']);
  });
});
