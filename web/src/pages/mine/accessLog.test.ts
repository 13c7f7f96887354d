import type { AuditEvent } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { accessLogSearch, isShown, nextLink, organisationNames, organisationsOf, recordsOf, rowOf } from './accessLog';

// Events as the hub writes them (server audit.AuditTrail): agent[0] the user (reference, name, professions), then their
// organisation and the OAuth client; purposeOfEvent; entities: the patient, each record version shown, the query.
function event(overrides: Partial<AuditEvent> & { who?: string; name?: string; roles?: string[]; org?: string; purpose?: string } = {}): AuditEvent {
  const { who = 'PractitionerRole/role-care-manager', name = '佐々木 和子', roles = ['care-manager'], org = 'org-homecare', purpose = 'CAREMGT', ...rest } = overrides;
  return {
    resourceType: 'AuditEvent',
    id: 'ev1',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    recorded: '2026-12-07T06:04:05.000Z',
    outcome: '0',
    purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: purpose }] }],
    agent: [
      {
        requestor: true,
        who: { reference: who, identifier: { system: 'urn:renkei:token-subject', value: 'x' }, display: name },
        altId: 'care-manager',
        role: roles.map((r) => ({ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/profession', code: r }] })),
      },
      ...(org ? [{ requestor: false, who: { reference: `Organization/${org}` } }] : []),
      { requestor: false, who: { identifier: { system: 'urn:renkei:oauth-client', value: 'renkei-web' } } },
    ],
    source: { observer: { display: 'Renkei hub' } },
    entity: [
      { what: { reference: 'Patient/pat-yamada' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } },
      { what: { reference: 'Patient/pat-yamada/_history/3' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4' } },
    ],
    ...rest,
  } as AuditEvent;
}

const ORGS = new Map([['org-homecare', 'いわて在宅ケアセンター']]);

describe('the access log', () => {
  it('asks the hub for the patient’s events, newest first, a page at a time', () => {
    expect(accessLogSearch('pat-yamada')).toEqual({ patient: 'Patient/pat-yamada', _sort: '-date', _count: 20 });
  });

  it('shows a professional’s read with name, profession, organisation, purpose and what was seen', () => {
    const row = rowOf(event(), 'pat-yamada', ORGS);
    expect(row).toMatchObject({
      viewer: 'professional',
      name: '佐々木 和子',
      profession: '介護支援専門員',
      organisation: 'いわて在宅ケアセンター',
      purpose: 'ケアの調整のため',
      action: '記録を見ました',
      records: '基本情報',
      breakGlass: false,
      refused: false,
    });
  });

  it('marks break-glass: the declaration and reads under its grant (purpose ETREAT)', () => {
    const declared = event({
      who: 'PractitionerRole/role-ems', name: '木村 隆', roles: ['ems'], org: '', purpose: 'ETREAT',
      subtype: [
        { system: 'http://hl7.org/fhir/restful-interaction', code: 'operation' },
        { system: 'http://renkei.example.jp/fhir/CodeSystem/audit-subtype', code: 'break-glass' },
      ],
      action: 'E',
    });
    expect(rowOf(declared, 'pat-yamada', ORGS)).toMatchObject({ breakGlass: true, action: '緊急時アクセスを宣言しました', profession: '救急隊', organisation: '' });
    expect(rowOf(event({ purpose: 'ETREAT', roles: ['physician'] }), 'pat-yamada', ORGS)).toMatchObject({ breakGlass: true, purpose: '救急・緊急時の対応のため' });
  });

  it('names the patient’s and family’s own reads as such, and hides them unless asked', () => {
    const own = rowOf(event({ who: 'Patient/pat-yamada', name: '山田 花子', roles: ['patient'], org: '', purpose: 'PATRQT' }), 'pat-yamada', ORGS);
    expect(own).toMatchObject({ viewer: 'self', name: 'ご本人', profession: '', purpose: 'ご本人の確認' });
    const family = rowOf(event({ who: 'RelatedPerson/rp-yamada-daughter', name: '山田 美穂', roles: ['family'], org: '', purpose: 'FAMRQT' }), 'pat-yamada', ORGS);
    expect(family).toMatchObject({ viewer: 'family', name: '山田 美穂', profession: 'ご家族・代理人' });
    const professional = rowOf(event(), 'pat-yamada', ORGS);
    expect([own, family, professional].filter((r) => isShown(r, false))).toEqual([professional]);
    expect([own, family, professional].filter((r) => isShown(r, true))).toHaveLength(3);
  });

  it('says a refused attempt and an attempt without signing in plainly', () => {
    expect(rowOf(event({ outcome: '4', outcomeDesc: 'denied 404' }), 'pat-yamada', ORGS).action).toBe('記録を見ようとしましたが、許可されませんでした');
    const anonymous = event({ type: { code: '110114' }, outcome: '4', purposeOfEvent: [] });
    anonymous.agent = [{ requestor: true, who: { display: 'unauthenticated' } }];
    expect(rowOf(anonymous, 'pat-yamada', ORGS)).toMatchObject({ viewer: 'unknown', name: 'サインインしていない人', refused: true, purpose: '' });
  });

  it('lists the kinds of record shown once each, not the patient entity', () => {
    const search = event({
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type' }],
      entity: [
        { what: { reference: 'Patient/pat-yamada' }, role: { code: '1' } },
        { what: { reference: 'Bundle/b1/_history/1' }, role: { code: '4' } },
        { what: { reference: 'Composition/c1/_history/2' }, role: { code: '4' } },
        { what: { reference: 'Observation/o1/_history/1' }, role: { code: '4' } },
        { query: 'cXVlcnk=', role: { code: '24' } },
      ],
    });
    expect(recordsOf(search)).toBe('文書・観察の記録');
    expect(rowOf(search, 'pat-yamada', ORGS).action).toBe('記録を探して見ました');
  });

  it('falls back when a name or organisation is not known', () => {
    const row = rowOf(event({ name: '', org: 'org-gone' }), 'pat-yamada', ORGS);
    expect(row.name).toBe('名前の記録なし');
    expect(row.organisation).toBe('（名前の分からない事業所）');
  });

  it('collects the organisations to name once, and reads their names and the next link from answers', () => {
    expect(organisationsOf([event(), event({ org: 'org-hospital' }), event()])).toEqual(['org-homecare', 'org-hospital']);
    expect(
      organisationNames({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Organization', id: 'org-hospital', name: 'みちのく中央病院' } }] }),
    ).toEqual(new Map([['org-hospital', 'みちのく中央病院']]));
    expect(nextLink({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'self', url: 'a' }, { relation: 'next', url: 'b' }] })).toBe('b');
    expect(nextLink({ resourceType: 'Bundle', type: 'searchset' })).toBeUndefined();
  });
});
