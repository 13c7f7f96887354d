import { describe, expect, it } from 'vitest';
import type { Parameters } from 'fhir/r4';
import { chainLabel, CERTIFICATE_WARNING_DAYS, CRL_WARNING_DAYS, daysLeft, daysLeftLabel, readHubStatus, urgency } from './hubStatus';

// 2026-12-07 10:00 in Japan
const NOW = Date.parse('2026-12-07T01:00:00Z');

const ANSWER: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'node', valueString: 'node-a' },
    { name: 'generated', valueInstant: '2026-12-07T01:00:00Z' },
    {
      name: 'auditChain',
      part: [
        { name: 'state', valueCode: 'broken' },
        { name: 'checkedAt', valueInstant: '2026-12-07T00:59:00Z' },
        { name: 'checkScope', valueCode: 'full' },
        { name: 'links', valueInteger: 120 },
        { name: 'firstBrokenLink', valueInteger: 7 },
        { name: 'problem', valueString: 'link 7: AuditEvent/x was changed after it was sealed' },
        { name: 'anchored', valueBoolean: true },
        { name: 'sealedThrough', valueInteger: 118 },
        { name: 'sealedAt', valueInstant: '2026-12-07T00:58:00Z' },
      ],
    },
    {
      name: 'certificate',
      part: [
        { name: 'role', valueCode: 'trust-anchor' },
        { name: 'name', valueString: 'Renkei Dev CA' },
        { name: 'notBefore', valueInstant: '2026-01-01T00:00:00Z' },
        { name: 'notAfter', valueInstant: '2027-01-01T00:00:00Z' },
      ],
    },
    {
      name: 'certificate',
      part: [
        { name: 'role', valueCode: 'organization-seal' },
        { name: 'name', valueString: 'みちのく中央病院' },
        { name: 'organization', valueString: 'org-hospital' },
        { name: 'notAfter', valueInstant: '2027-06-01T00:00:00Z' },
      ],
    },
    { name: 'crl', part: [{ name: 'issuer', valueString: 'Renkei Dev CA' }, { name: 'thisUpdate', valueInstant: '2026-12-06T00:00:00Z' }, { name: 'nextUpdate', valueInstant: '2026-12-13T00:00:00Z' }] },
    { name: 'notificationSockets', part: [{ name: 'node', valueString: 'node-a' }, { name: 'open', valueInteger: 3 }] },
    { name: 'overdueHandoffs', valueInteger: 2 },
  ],
};

describe('readHubStatus', () => {
  it('reads every value of the answer', () => {
    const status = readHubStatus(ANSWER);
    expect(status.node).toBe('node-a');
    expect(status.chain).toMatchObject({ state: 'broken', whole: true, links: 120, firstBrokenLink: 7, anchored: true, sealedThrough: 118 });
    expect(status.certificates).toEqual([
      { role: 'trust-anchor', name: 'Renkei Dev CA', organization: undefined, notAfter: '2027-01-01T00:00:00Z' },
      { role: 'organization-seal', name: 'みちのく中央病院', organization: 'org-hospital', notAfter: '2027-06-01T00:00:00Z' },
    ]);
    expect(status.crls).toEqual([{ issuer: 'Renkei Dev CA', thisUpdate: '2026-12-06T00:00:00Z', nextUpdate: '2026-12-13T00:00:00Z' }]);
    expect(status.sockets).toEqual({ node: 'node-a', open: 3 });
    expect(status.overdueHandoffs).toBe(2);
  });

  it('counts a chain no check has reached yet as unchecked, and zero sockets and hand-offs when absent', () => {
    const status = readHubStatus({ resourceType: 'Parameters', parameter: [{ name: 'auditChain', part: [{ name: 'state', valueCode: 'unchecked' }] }] });
    expect(status.chain.state).toBe('unchecked');
    expect(status.chain.whole).toBeUndefined();
    expect(chainLabel(status.chain)).toEqual({ label: '未確認', color: 'gray' });
    expect(status.sockets.open).toBe(0);
    expect(status.overdueHandoffs).toBe(0);
  });
});

describe('days left and warnings', () => {
  it('counts calendar days in Japan, whatever the hour', () => {
    // 2027-01-01T00:00Z is 09:00 on 1 January in Japan: 25 days from 7 December
    expect(daysLeft('2027-01-01T00:00:00Z', NOW)).toBe(25);
    // 23:30 in Japan today is still today
    expect(daysLeft('2026-12-07T14:30:00Z', NOW)).toBe(0);
    // 00:30 in Japan tomorrow is tomorrow, although under a day away
    expect(daysLeft('2026-12-07T15:30:00Z', NOW)).toBe(1);
  });

  it('warns under 30 days for a certificate, from 30 days on it is fine, and past its end it is expired', () => {
    expect(CERTIFICATE_WARNING_DAYS).toBe(30);
    expect(urgency('2027-01-06T01:00:00Z', NOW, CERTIFICATE_WARNING_DAYS)).toBe('ok'); // 30 days
    expect(urgency('2027-01-05T01:00:00Z', NOW, CERTIFICATE_WARNING_DAYS)).toBe('warning'); // 29 days
    expect(urgency('2026-12-07T02:00:00Z', NOW, CERTIFICATE_WARNING_DAYS)).toBe('warning'); // later today
    expect(urgency('2026-12-07T00:59:59Z', NOW, CERTIFICATE_WARNING_DAYS)).toBe('expired');
    expect(urgency(undefined, NOW, CERTIFICATE_WARNING_DAYS)).toBe('expired');
  });

  it('warns of a CRL due within two days: a CRL past its next update counts as none', () => {
    expect(urgency('2026-12-13T00:00:00Z', NOW, CRL_WARNING_DAYS)).toBe('ok');
    expect(urgency('2026-12-08T03:00:00Z', NOW, CRL_WARNING_DAYS)).toBe('warning');
    expect(urgency('2026-12-06T00:00:00Z', NOW, CRL_WARNING_DAYS)).toBe('expired');
  });

  it('says how long is left in Japanese', () => {
    expect(daysLeftLabel('2027-01-01T00:00:00Z', NOW)).toBe('残り25日');
    expect(daysLeftLabel('2026-12-07T14:00:00Z', NOW)).toBe('本日まで');
    expect(daysLeftLabel('2026-12-07T00:00:00Z', NOW)).toBe('期限切れ（本日）');
    expect(daysLeftLabel('2026-12-04T00:00:00Z', NOW)).toBe('期限切れ（3日前）');
  });

  it('names the chain 正常 in green and 異常 in red', () => {
    expect(chainLabel({ state: 'intact' })).toEqual({ label: '正常', color: 'green' });
    expect(chainLabel({ state: 'broken' })).toEqual({ label: '異常', color: 'red' });
  });
});
