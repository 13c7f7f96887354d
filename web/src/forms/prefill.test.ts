import type { Bundle, CareTeam, FhirResource } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { allergyRows, conditionRows, medicationRows, pickedOf, prefillFrom, prefillSearches, recordsById } from './prefill';
import { CARE_OFFICE, CM, CM_ROLE } from './testSupport';

const searchset = (...resources: FhirResource[]): Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) });

describe('prefill', () => {
  it('asks the hub in one batch for problems, medications, allergies, the care team with its members and the stay', () => {
    const urls = prefillSearches('pat-1');
    expect(urls).toHaveLength(5);
    expect(urls[0]).toBe('Condition?patient=Patient%2Fpat-1&_count=50');
    expect(urls[3]).toContain('_include=CareTeam%3Aparticipant');
    expect(urls[4]).toContain('class=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fv3-ActCode%7CIMP');
  });

  it('keeps active problems and allergies (not resolved, refuted or entered in error) as editable rows with notes', () => {
    const rows = conditionRows([
      { resourceType: 'Condition', id: 'a', subject: {}, code: { text: '高血圧症' }, note: [{ text: '内服で安定' }] },
      { resourceType: 'Condition', id: 'b', subject: {}, code: { coding: [{ code: 'I10', display: '本態性高血圧' }] }, clinicalStatus: { coding: [{ code: 'resolved' }] } },
      { resourceType: 'Condition', id: 'c', subject: {}, code: { coding: [{ code: 'E11', display: '2型糖尿病' }] }, verificationStatus: { coding: [{ code: 'entered-in-error' }] } },
      { resourceType: 'Condition', id: 'd', subject: {}, code: { coding: [{ code: 'M81.0', display: '骨粗鬆症' }] } },
    ]);
    expect(rows.map((r) => [r.key, r.text, r.note])).toEqual([
      ['Condition/a', '高血圧症', '内服で安定'],
      ['Condition/d', '骨粗鬆症', ''],
    ]);
    expect(rows[0].source!.id).toBe('a');
    const allergies = allergyRows([
      { resourceType: 'AllergyIntolerance', id: 'x', patient: {}, code: { text: 'ロキソプロフェン' }, reaction: [{ manifestation: [{ text: '蕁麻疹' }] }] },
      { resourceType: 'AllergyIntolerance', id: 'y', patient: {}, code: { text: '卵' }, clinicalStatus: { coding: [{ code: 'inactive' }] } },
    ]);
    expect(allergies.map((r) => [r.text, r.note])).toEqual([['ロキソプロフェン', '蕁麻疹']]);
  });

  it('takes active medications with their dosage text', () => {
    const rows = medicationRows([
      { resourceType: 'MedicationStatement', id: 'm1', status: 'active', subject: {}, medicationCodeableConcept: { text: 'アムロジピン錠5mg' }, dosage: [{ text: '1日1回 朝食後' }] },
      { resourceType: 'MedicationStatement', id: 'm2', status: 'stopped', subject: {}, medicationCodeableConcept: { text: '中止薬' } },
    ]);
    expect(rows.map((r) => [r.text, r.note])).toEqual([['アムロジピン錠5mg', '1日1回 朝食後']]);
  });

  it('labels a directory role as 氏名（職種）・所属 and keeps the records it names for the document', () => {
    const picked = pickedOf(CM_ROLE, recordsById([CM, CARE_OFFICE]));
    expect(picked.label).toBe('佐々木 和子（介護支援専門員）・いわて在宅ケアセンター');
    expect(picked.related!.map((r) => r.id)).toEqual(['prac-care-manager', 'org-homecare']);
    expect(pickedOf(CARE_OFFICE, new Map()).label).toBe('いわて在宅ケアセンター');
  });

  it('shapes the batch answer: rows, the current stay’s dates and reason, the team as candidates; a refused search pre-fills nothing', () => {
    const team: CareTeam = {
      resourceType: 'CareTeam',
      id: 't',
      participant: [{ member: { reference: 'PractitionerRole/role-care-manager' } }, { member: { reference: 'Organization/org-homecare' } }, { member: { reference: 'RelatedPerson/rp' } }],
    };
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [
        { resource: searchset({ resourceType: 'Condition', id: 'a', subject: {}, code: { text: '右大腿骨頸部骨折' } }), response: { status: '200 OK' } },
        { response: { status: '403 Forbidden' } },
        { resource: searchset(), response: { status: '200 OK' } },
        { resource: searchset(team, CM_ROLE, CARE_OFFICE), response: { status: '200 OK' } },
        {
          resource: searchset({ resourceType: 'Encounter', id: 'e', status: 'in-progress', class: { code: 'IMP' }, period: { start: '2026-10-28T21:40:00+09:00' }, reasonCode: [{ text: '転倒による骨折' }] }),
          response: { status: '200 OK' },
        },
      ],
    };
    const prefill = prefillFrom(batch);
    expect(prefill.answers).toMatchObject({ diagnoses: [{ text: '右大腿骨頸部骨折' }], medications: [], allergies: [], 'admission-date': '2026-10-28', 'admission-reason': '転倒による骨折' });
    expect(prefill.answers['discharge-date']).toBeUndefined();
    expect(prefill.team.map((p) => p.reference)).toEqual(['PractitionerRole/role-care-manager', 'Organization/org-homecare']);
    expect(prefill.rolesToRead).toEqual(['role-care-manager']);
  });
});
