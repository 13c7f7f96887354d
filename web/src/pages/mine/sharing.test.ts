import type { Consent } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { choosable, consentSearch, grantConsent, grantStatement, namesOf, revocationWarning, revokeParameters, sharingRows, unnamed } from './sharing';

const RECORDING = 'http://renkei.example.jp/fhir/StructureDefinition/consent-recording';
const privacy = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] };

// The demo Consent of 山田 花子 (keycloak/demo-fhir.json): her care team, except advance directives for care workers.
const teamConsent: Consent = {
  resourceType: 'Consent',
  id: 'consent-yamada',
  status: 'active',
  scope: privacy,
  category: [],
  patient: { reference: 'Patient/pat-yamada' },
  dateTime: '2026-10-01T10:00:00+09:00',
  provision: {
    type: 'permit',
    actor: [{ role: { coding: [{ code: 'IRCP' }] }, reference: { reference: 'CareTeam/ct-yamada' } }],
    provision: [
      {
        type: 'deny',
        actor: [{ role: { coding: [{ code: 'care-worker' }] }, reference: { display: '介護職員' } }],
        code: [{ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/care-document', code: 'advance-directive' }] }],
      },
    ],
  },
};

function granted(id: string, org: string, status: Consent['status'] = 'active', by = 'Patient/pat-yamada'): Consent {
  const consent = grantConsent({
    patient: 'pat-yamada',
    performer: by,
    organisation: { id: org, name: '' },
    statement: 'x',
  });
  return {
    ...consent,
    id,
    status,
    dateTime: '2026-12-07T15:00:00+09:00',
    extension: [{ url: RECORDING, extension: [{ url: 'action', valueCode: 'record' }, { url: 'agent', valueReference: { reference: by } }] }],
  };
}

const NAMES = namesOf([
  { resourceType: 'Organization', id: 'org-pharmacy', name: 'ひまわり薬局' },
  { resourceType: 'CareTeam', id: 'ct-yamada', name: '山田 花子さん 在宅療養支援チーム' },
]);

describe('sharing', () => {
  it('searches the patient’s Consents', () => {
    expect(consentSearch('pat-yamada')).toEqual({ patient: 'Patient/pat-yamada', _sort: '-date', _count: 100 });
  });

  it('lists the active privacy Consents newest first: whom, since when, who set it, exceptions', () => {
    const adr: Consent = { ...teamConsent, id: 'adr', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'adr' }] } };
    const rows = sharingRows([teamConsent, granted('c2', 'org-pharmacy'), granted('c3', 'org-pharmacy', 'inactive'), adr], NAMES);
    expect(rows.map((r) => r.consentId)).toEqual(['c2', 'consent-yamada']);
    expect(rows[0]).toMatchObject({
      recipients: [{ reference: 'Organization/org-pharmacy', name: 'ひまわり薬局', kind: 'organisation' }],
      since: '2026-12-07T15:00:00+09:00',
      recordedBy: 'ご本人',
      exceptions: [],
    });
    expect(rows[1]).toMatchObject({
      recipients: [{ reference: 'CareTeam/ct-yamada', name: 'ケアチームの全員（山田 花子さん 在宅療養支援チーム）', kind: 'care-team' }],
      recordedBy: '',
      exceptions: ['事前指示書は介護職員に共有しません'],
    });
    expect(sharingRows([granted('c4', 'org-pharmacy', 'active', 'RelatedPerson/rp')], NAMES)[0]?.recordedBy).toBe('ご家族');
  });

  it('names what it still has to read', () => {
    expect(unnamed([teamConsent, granted('c2', 'org-pharmacy')])).toEqual({ organisations: ['org-pharmacy'], careTeams: ['ct-yamada'] });
  });

  it('offers only active organisations not already shared with, by name', () => {
    const rows = sharingRows([granted('c2', 'org-pharmacy')], NAMES);
    const offered = choosable(
      [
        { resourceType: 'Organization', id: 'org-pharmacy', name: 'ひまわり薬局' },
        { resourceType: 'Organization', id: 'org-hospital', name: 'みちのく中央病院' },
        { resourceType: 'Organization', id: 'org-old', name: '閉院した医院', active: false },
        { resourceType: 'Organization', id: 'org-homecare', name: 'いわて在宅ケアセンター' },
      ],
      rows,
    );
    expect(offered.map((o) => o.id)).toEqual(['org-homecare', 'org-hospital']);
  });

  it('records the grant as the hub evaluates it: privacy scope, a root permit naming the organisation, the statement as source', () => {
    const statement = grantStatement('ひまわり薬局', '山田 花子', false);
    const consent = grantConsent({ patient: 'pat-yamada', performer: 'Patient/pat-yamada', organisation: { id: 'org-pharmacy', name: 'ひまわり薬局' }, statement });
    expect(consent.status).toBe('active');
    expect(consent.scope).toEqual(privacy);
    expect(consent.patient).toEqual({ reference: 'Patient/pat-yamada' });
    expect(consent.performer).toEqual([{ reference: 'Patient/pat-yamada' }]);
    expect(consent.provision?.type).toBe('permit');
    expect(consent.provision?.period).toBeUndefined();
    expect(consent.provision?.actor?.[0]?.reference).toEqual({ reference: 'Organization/org-pharmacy', display: 'ひまわり薬局' });
    expect(consent.dateTime).toBeUndefined();
    expect(consent.sourceAttachment?.contentType).toBe('text/plain; charset=utf-8');
    const bytes = Uint8Array.from(atob(consent.sourceAttachment?.data ?? ''), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe(statement);
    expect(statement).toContain('山田 花子さんの記録');
    expect(grantStatement('ひまわり薬局', '山田 花子', true)).toMatch(/^ご家族（代理人）として、/);
  });

  it('revokes with an optional reason and says what stops, more strongly for the whole care team', () => {
    expect(revokeParameters('  ')).toEqual({ resourceType: 'Parameters', parameter: [] });
    expect(revokeParameters('家族と相談した')).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: '家族と相談した' }] });
    const [pharmacy, team] = sharingRows([granted('c2', 'org-pharmacy'), teamConsent], NAMES);
    expect(revocationWarning(pharmacy!)).toMatch(/^ひまわり薬局は、この後すぐに、記録を新しく見ることができなくなります/);
    expect(revocationWarning(pharmacy!)).not.toContain('ケアマネジャー');
    expect(revocationWarning(team!)).toContain('ケアチームの全員が見られなくなるため');
  });
});
