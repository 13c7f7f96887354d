import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import type { Parameters } from 'fhir/r4';
import { renderWithProviders, stubLayoutApis } from '../../testSupport';
import { HubStatusPanel } from './HubStatusPanel';

afterEach(cleanup);

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString();

const BROKEN: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'node', valueString: 'node-a' },
    { name: 'generated', valueInstant: day(0) },
    {
      name: 'auditChain',
      part: [
        { name: 'state', valueCode: 'broken' },
        { name: 'checkedAt', valueInstant: day(0) },
        { name: 'checkScope', valueCode: 'full' },
        { name: 'firstBrokenLink', valueInteger: 7 },
        { name: 'problem', valueString: 'link 7: AuditEvent/x was changed' },
        { name: 'anchored', valueBoolean: true },
      ],
    },
    { name: 'certificate', part: [{ name: 'role', valueCode: 'trust-anchor' }, { name: 'name', valueString: 'Renkei Dev CA' }, { name: 'notAfter', valueInstant: day(10.5) }] },
    { name: 'crl', part: [{ name: 'issuer', valueString: 'Renkei Dev CA' }, { name: 'thisUpdate', valueInstant: day(-8) }, { name: 'nextUpdate', valueInstant: day(-1) }] },
    { name: 'notificationSockets', part: [{ name: 'node', valueString: 'node-a' }, { name: 'open', valueInteger: 4 }] },
    { name: 'overdueHandoffs', valueInteger: 2 },
  ],
};

function render(status: number, body: unknown) {
  stubLayoutApis();
  const fetchFn = vi.fn(async (_input: string | URL | Request) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/fhir+json' } }));
  renderWithProviders(<HubStatusPanel />, { path: '/', fetchFn: fetchFn as unknown as typeof fetch });
  return fetchFn;
}

describe('HubStatusPanel', () => {
  it('shows a broken chain, a certificate about to expire and an expired CRL, each with what to do', async () => {
    const fetchFn = render(200, BROKEN);
    const chain = await screen.findByRole('region', { name: '監査ログの連鎖' });
    expect(String(fetchFn.mock.calls[0][0])).toBe('/fhir/$hub-status');
    expect(within(chain).getByLabelText('状態: 異常')).toBeTruthy();
    expect(within(chain).getByRole('alert').textContent).toContain('7件目から検証できません。');
    const ca = screen.getByRole('region', { name: '認証局証明書の有効期限' });
    expect(ca.textContent).toMatch(/残り1[01]日/);
    expect(ca.textContent).toContain('deploy/pki.sh で更新してください。');
    const crl = screen.getByRole('region', { name: 'CRL 次回更新' });
    expect(crl.textContent).toContain('期限切れ（1日前）');
    expect(crl.textContent).toContain('期限切れの CRL は無いものとして扱われます。');
    expect(screen.getByLabelText('接続中の通知ソケット: 4')).toBeTruthy();
    expect(screen.getByLabelText('期限超過の引継ぎ: 2件')).toBeTruthy();
  });

  it('explains a refusal in Japanese and who grants the role', async () => {
    render(403, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'forbidden', diagnostics: "ハブの状態は hub-admin のみ参照できます (only hub-admin may read the hub's status)" }],
    });
    expect((await screen.findByRole('alert')).textContent).toContain('この操作は許可されていません。');
    expect(screen.getByText(/役割の付与は認証基盤（Keycloak）の管理者に依頼してください。/)).toBeTruthy();
    expect(screen.queryByRole('region', { name: '監査ログの連鎖' })).toBeNull();
  });
});
