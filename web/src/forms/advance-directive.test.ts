import type { Consent } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import {
  DIRECTIVE_FIELDS,
  END_OF_LIFE_PLACE,
  LIFE_SUSTAINING,
  PLACES,
  TREATMENTS,
  buildDirective,
  chosenTreatments,
  directiveAnswers,
  directiveProxies,
  directiveTransaction,
  missingDirective,
  witnessSignature,
  type DirectiveInput,
} from './advance-directive';
import { codeSystems, profiles, snapshotProfiles } from './profilePackage';

// The directive's fields and builder held to renkei-advance-directive and its CodeSystems, and to the profile's example.

const profile = profiles.get('renkei-advance-directive')!;
const example = Object.values(import.meta.glob<unknown>('../../../fhir-profiles/src/main/fhir/Consent-advance-directive-example.json', { eager: true, import: 'default' }))[0] as Consent;

const input = (over: Partial<DirectiveInput> = {}): DirectiveInput => ({
  answers: {
    'expressed-on': '2026-10-15',
    'treatment-cpr': 'deny',
    'treatment-mechanical-ventilation': 'deny',
    'treatment-tube-feeding': 'deny',
    'treatment-iv-fluids': 'permit',
    'treatment-dialysis': '',
    place: 'home',
    'place-note': '住み慣れた自宅で最期まで過ごしたい',
  },
  patient: { reference: 'Patient/pat-yamada', label: '山田 花子' },
  performer: { reference: 'Patient/pat-yamada', label: '山田 花子' },
  proxies: [{ reference: 'RelatedPerson/rp-yamada-kenji', label: '山田 健二（長男）' }],
  form: { contentType: 'application/pdf', data: 'JVBERi0=', hash: 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=', size: 5, title: '事前指示書（署名済み原本）' },
  ...over,
});

describe('the advance directive definition', () => {
  it('offers every treatment and place of the CodeSystems, with their Japanese displays', () => {
    const treatments = codeSystems.get(LIFE_SUSTAINING)!.concept;
    expect(TREATMENTS.map((t) => t.code).sort()).toEqual(treatments.map((c) => c.code).sort());
    for (const t of TREATMENTS) expect(t.display, t.code).toBe(treatments.find((c) => c.code === t.code)?.display);
    const places = codeSystems.get(END_OF_LIFE_PLACE)!.concept;
    expect(PLACES).toEqual(places.map((c) => ({ code: c.code, display: c.display })));
  });

  it('names an element of the profile in every target', () => {
    const snapshot = snapshotProfiles.get('renkei-advance-directive');
    const ids = new Set((snapshot?.snapshot?.element ?? profile.differential.element).map((e) => e.id));
    const fields = [DIRECTIVE_FIELDS.expressedOn, DIRECTIVE_FIELDS.place, DIRECTIVE_FIELDS.placeNote, ...DIRECTIVE_FIELDS.treatments];
    for (const field of fields) {
      if (snapshot || field.target.path.includes(':')) expect(ids.has(field.target.path), field.target.path).toBe(true);
      expect(field.label).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(new Set(fields.map((f) => f.id)).size).toBe(fields.length);
  });
});

describe('buildDirective', () => {
  it('writes what the profile’s example holds for the same answers (the form attached instead of referenced)', () => {
    const built = buildDirective(input());
    const { id: _id, sourceReference: _ref, patient: _p, performer: _perf, ...expected } = example;
    const { sourceAttachment, patient, performer, ...rest } = built;
    expect(rest.provision?.provision).toEqual(expected.provision?.provision);
    expect(rest.extension).toEqual(expected.extension);
    expect(rest.scope).toEqual(expected.scope);
    expect(rest.category).toEqual(expected.category);
    expect(rest.policy).toEqual(expected.policy);
    expect(rest.status).toBe('active');
    expect(rest.meta?.profile).toEqual(expected.meta?.profile);
    expect(rest.provision?.actor?.[0].role).toEqual(expected.provision?.actor?.[0].role);
    expect(patient).toEqual({ reference: 'Patient/pat-yamada', display: '山田 花子' });
    expect(performer).toEqual([{ reference: 'Patient/pat-yamada', display: '山田 花子' }]);
    expect(sourceAttachment).toEqual({ contentType: 'application/pdf', data: 'JVBERi0=', hash: 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=', size: 5, title: '事前指示書（署名済み原本）' });
    expect(built.id).toBeUndefined();
    expect(built.text).toBeUndefined();
  });

  it('sends no place when none is chosen, and only the treatments answered', () => {
    const built = buildDirective(input({ answers: { 'expressed-on': '2026-10-15', 'treatment-hospital-transport': 'permit', place: '' } }));
    expect(built.extension).toBeUndefined();
    expect(built.provision?.provision).toEqual([
      { type: 'permit', code: [{ coding: [{ system: LIFE_SUSTAINING, code: 'hospital-transport', display: '救急搬送' }] }] },
    ]);
    expect(chosenTreatments({ 'treatment-cpr': 'maybe' })).toEqual([]);
  });

  it('says what is missing before signing: the date, a wish, the signed form', () => {
    const missing = missingDirective({ answers: {} });
    expect([...missing.keys()]).toEqual(['expressed-on', 'treatment-cpr', 'signed-form']);
    expect(missingDirective({ answers: input().answers, form: input().form }).size).toBe(0);
  });

  it('starts a revision from the earlier directive’s answers and proxies', () => {
    const answers = directiveAnswers(example);
    expect(answers).toMatchObject({ 'treatment-cpr': 'deny', 'treatment-iv-fluids': 'permit', place: 'home', 'place-note': '住み慣れた自宅で最期まで過ごしたい' });
    expect(directiveProxies(example)).toEqual(['RelatedPerson/rp-yamada-kenji']);
    expect(directiveAnswers(undefined)).toEqual({});
  });
});

describe('directiveTransaction', () => {
  it('creates the Consent and a Provenance that targets it, with the witness as attester, the patient and the Consent Witness signature', () => {
    const signature = witnessSignature('aGVhZGVy..c2ln', { identity: 'Practitioner/prac-physician-home', name: '伊藤 健一' }, '2026-12-07T00:00:00Z');
    const tx = directiveTransaction(buildDirective(input()), signature, ['c', 'p']);
    expect(tx.entry?.map((e) => [e.fullUrl, e.request?.method, e.request?.url])).toEqual([
      ['urn:uuid:c', 'POST', 'Consent'],
      ['urn:uuid:p', 'POST', 'Provenance'],
    ]);
    const provenance = tx.entry![1].resource as import('fhir/r4').Provenance;
    expect(provenance.target).toEqual([{ reference: 'urn:uuid:c' }]);
    expect(provenance.extension).toEqual([{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient', valueReference: { reference: 'Patient/pat-yamada' } }]);
    expect(provenance.agent?.[0].type?.coding?.[0].code).toBe('attester');
    expect(provenance.signature?.[0]).toMatchObject({
      type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.11' }],
      who: { reference: 'Practitioner/prac-physician-home', display: '伊藤 健一' },
      sigFormat: 'application/jose',
      targetFormat: 'application/fhir+json;canonicalization=http://hl7.org/fhir/canonicalization/json',
      data: btoa('aGVhZGVy..c2ln'),
    });
  });
});
