import { describe, expect, it } from 'vitest';
import type { Bundle, CareTeam, Consent, FhirResource } from 'fhir/r4';
import { consentOf, organisationsToRead, recordsOf, summaryOf, teamOf, teamSearches, timelinePage, timelineSearches } from './patientData';

const careDoc = (code: string) => ({ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/care-document', code }] });

describe('summaryOf', () => {
  it('finds the patient, allergies, the emergency sheet and the advance directive in $emergency-summary', () => {
    const sheet: FhirResource = {
      resourceType: 'Bundle',
      id: 'sheet',
      type: 'document',
      entry: [{ resource: { resourceType: 'Composition', status: 'final', type: careDoc('emergency-sheet'), date: '2026-01-01', author: [], title: '緊急時連絡票' } as FhirResource }],
    };
    const adr: FhirResource = {
      resourceType: 'Consent',
      id: 'adr',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'adr' }] },
      category: [],
    };
    const summary = summaryOf({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Patient', id: 'p' } },
        { resource: sheet },
        { resource: adr },
        { resource: { resourceType: 'MedicationStatement', id: 'm', status: 'active', subject: {}, medicationCodeableConcept: {} } as FhirResource },
        { resource: { resourceType: 'AllergyIntolerance', id: 'a', patient: {} } as FhirResource },
      ],
    });
    expect(summary.patient.id).toBe('p');
    expect(summary.allergies.map((a) => a.id)).toEqual(['a']);
    expect(summary.emergencySheet?.id).toBe('sheet');
    expect(summary.advanceDirective?.id).toBe('adr');
  });

  it('has no markers for what the user may not read (left out by the hub)', () => {
    const summary = summaryOf({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }] });
    expect(summary.emergencySheet).toBeUndefined();
    expect(summary.advanceDirective).toBeUndefined();
    expect(summary.allergies).toEqual([]);
  });
});

describe('searches', () => {
  it('asks each timeline type by patient, newest first, 50 a page, and only document Bundles', () => {
    expect(timelineSearches('pat-1')).toEqual([
      'Bundle?patient=Patient%2Fpat-1&type=document&_sort=-_lastUpdated&_count=50',
      'Composition?patient=Patient%2Fpat-1&_sort=-_lastUpdated&_count=50',
      'DocumentReference?patient=Patient%2Fpat-1&_sort=-_lastUpdated&_count=50',
      'Task?patient=Patient%2Fpat-1&_sort=-_lastUpdated&_count=50',
      'Communication?patient=Patient%2Fpat-1&_sort=-_lastUpdated&_count=50',
      'Observation?patient=Patient%2Fpat-1&_sort=-_lastUpdated&_count=50',
    ]);
    expect(teamSearches('pat-1')).toEqual([
      'CareTeam?patient=Patient%2Fpat-1&status=active&_include=CareTeam%3Aparticipant',
      'Consent?patient=Patient%2Fpat-1&scope=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fconsentscope%7Cpatient-privacy&_sort=-date&_count=10',
    ]);
  });

  it('reads a batch answer entry by entry: matches, next links and refusals', () => {
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [
        {
          response: { status: '200 OK' },
          resource: {
            resourceType: 'Bundle',
            type: 'searchset',
            link: [{ relation: 'next', url: 'http://h/fhir?_getpages=x' }],
            entry: [{ resource: { resourceType: 'Bundle', id: 'd', type: 'document' } as FhirResource, search: { mode: 'match' } }],
          } as Bundle,
        },
        { response: { status: '403', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'no' }] } as FhirResource } },
      ],
    };
    const page = timelinePage(batch);
    expect(page.Bundle).toEqual({ resources: [{ resourceType: 'Bundle', id: 'd', type: 'document' }], next: 'http://h/fhir?_getpages=x' });
    expect(page.Composition).toEqual({ resources: [], refused: 'この操作は許可されていません。' });
    expect(page.Observation?.refused).toBeTruthy();
  });
});

describe('teamOf', () => {
  const team: CareTeam = {
    resourceType: 'CareTeam',
    participant: [
      {
        role: [{ text: '医師' }],
        member: { reference: 'PractitionerRole/role-physician-home', display: '伊藤 健一' },
        onBehalfOf: { reference: 'Organization/org-homecare', display: 'いわて在宅ケアセンター' },
      },
      { member: { reference: 'PractitionerRole/role-pharmacist' } },
      { member: { reference: 'RelatedPerson/rp' }, role: [{ text: '長女（キーパーソン）' }] },
    ],
  };
  const records = recordsOf([
    {
      resourceType: 'PractitionerRole',
      id: 'role-physician-home',
      code: [{ text: '医師' }],
      specialty: [{ text: '在宅医' }],
      organization: { reference: 'Organization/org-homecare' },
    },
    {
      resourceType: 'PractitionerRole',
      id: 'role-pharmacist',
      practitioner: { reference: 'Practitioner/prac-pharmacist', display: '小林 美咲' },
      code: [{ coding: [{ display: '薬剤師' }] }],
      organization: { reference: 'Organization/org-pharmacy', display: 'ひまわり薬局' },
      telecom: [{ system: 'phone', value: '019-000-3001' }],
    },
    { resourceType: 'RelatedPerson', id: 'rp', patient: {}, name: [{ text: '山田 美穂' }], telecom: [{ system: 'phone', value: '090-0000-0001' }] },
  ]);

  it('names the organisations whose phone numbers are still to be read', () => {
    expect(organisationsToRead([team], records)).toEqual(['org-homecare', 'org-pharmacy']);
  });

  it('lists each member with role, organisation and phone: the role’s own, else the organisation’s', () => {
    records.set('Organization/org-homecare', { resourceType: 'Organization', id: 'org-homecare', name: 'いわて在宅ケアセンター', telecom: [{ system: 'phone', value: '019-000-2000' }] });
    records.set('Organization/org-pharmacy', { resourceType: 'Organization', id: 'org-pharmacy', name: 'ひまわり薬局', telecom: [{ system: 'phone', value: '019-000-3000' }] });
    const { members, names } = teamOf([team], records);
    expect(members.map(({ name, role, organization, phone }) => ({ name, role, organization, phone }))).toEqual([
      { name: '伊藤 健一', role: '医師・在宅医', organization: 'いわて在宅ケアセンター', phone: '019-000-2000' },
      { name: '小林 美咲', role: '薬剤師', organization: 'ひまわり薬局', phone: '019-000-3001' },
      { name: '山田 美穂', role: '長女（キーパーソン）', organization: '', phone: undefined },
    ]);
    expect(names.get('PractitionerRole/role-pharmacist')).toBe('小林 美咲');
    expect(names.get('Organization/org-homecare')).toBe('いわて在宅ケアセンター');
  });
});

describe('consentOf', () => {
  const consent = (status: Consent['status'], dateTime: string, type: 'permit' | 'deny' = 'permit'): Consent => ({
    resourceType: 'Consent',
    status,
    scope: {},
    category: [],
    dateTime,
    provision: { type },
  });

  it('says 同意あり with the 和暦 date of the active consent', () => {
    expect(consentOf([consent('active', '2026-10-01T10:00:00+09:00')])).toMatchObject({ state: 'given', label: '同意あり（令和8年10月1日）' });
  });

  it('says 同意なし when revoked, refused or never recorded, and 確認できません when the hub refused', () => {
    expect(consentOf([consent('inactive', '2026-11-01T10:00:00+09:00')]).label).toBe('同意なし（撤回・失効・令和8年11月1日）');
    expect(consentOf([consent('rejected', '2026-11-01')]).state).toBe('refused');
    expect(consentOf([]).label).toBe('同意なし（同意書の記録がありません）');
    expect(consentOf([], 'この操作は許可されていません。')).toMatchObject({ state: 'unknown' });
  });
});
