import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Bundle, FhirResource, Parameters } from 'fhir/r4';
import sheetFixture from '../../e2e/fixtures/emergency-sheet-yamada.json';
import demoFixture from '../../../keycloak/demo-fhir.json';
import { renderWithProviders, stubLayoutApis } from '../testSupport';
import EmergencyPage from './EmergencyPage';

beforeAll(() => stubLayoutApis());
afterEach(cleanup);

const demo = (demoFixture as unknown as Bundle).entry!.map((e) => e.resource as FhirResource);
const summary: Bundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [demo.find((r) => r.id === 'pat-yamada')!, sheetFixture as unknown as Bundle].map((resource) => ({ resource })),
};

/** A hub that grants for `grantMs` (or answers the declaration with `status`), and answers the summary. */
function hub(grantMs: number, status = 200) {
  const sent: Parameters[] = [];
  const fetchFn = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url === '/fhir/Patient/$break-glass' && init?.method === 'POST') {
      sent.push(JSON.parse(String(init.body)) as Parameters);
      if (status !== 200) {
        return new Response(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: '…' }] }), { status });
      }
      const answer: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', valueReference: { reference: 'Patient/pat-yamada' } },
          { name: 'until', valueInstant: new Date(Date.now() + grantMs).toISOString() },
        ],
      };
      return new Response(JSON.stringify(answer), { status: 200 });
    }
    if (url === '/fhir/Patient/pat-yamada/$emergency-summary') {
      return new Response(JSON.stringify(summary), { status: 200 });
    }
    return new Response('{}', { status: 404 });
  });
  return { fetchFn: fetchFn as unknown as typeof fetch, sent };
}

async function declare(reason: string) {
  fireEvent.change(screen.getByRole('textbox', { name: /氏名（漢字またはカナ）/ }), { target: { value: 'ﾔﾏﾀﾞ　ﾊﾅｺ' } });
  fireEvent.change(screen.getByRole('textbox', { name: /生年月日/ }), { target: { value: 'S13.5.12' } });
  fireEvent.click(screen.getByRole('button', { name: '緊急時アクセスを宣言する' }));
  const dialog = await screen.findByRole('dialog', { name: '緊急時アクセスの理由' });
  fireEvent.click(within(dialog).getByRole('button', { name: '宣言して閲覧を開始' }));
  expect(await within(dialog).findByText(/理由を入力してください/)).toBeTruthy();
  fireEvent.change(within(dialog).getByRole('textbox', { name: /理由/ }), { target: { value: reason } });
  fireEvent.click(within(dialog).getByRole('button', { name: '宣言して閲覧を開始' }));
}

describe('the crew’s emergency page', () => {
  it('declares with the reason, shows the wishes before contacts, medications and allergies, and clears them when the grant ends', async () => {
    const { fetchFn, sent } = hub(6000);
    renderWithProviders(<EmergencyPage />, { path: '/emergency', fetchFn });
    await declare('自宅で意識消失');
    await screen.findByText('DNAR — 心肺蘇生を希望しない');
    expect(sent).toHaveLength(1);
    expect(sent[0].parameter?.map((p) => [p.name, p.valueString ?? p.valueDate ?? p.valueCode])).toEqual([
      ['name', 'ヤマダ ハナコ'],
      ['birthDate', '1938-05-12'],
      ['purpose', 'ETREAT'],
      ['reason', '自宅で意識消失'],
    ]);
    const headings = ['本人の意思（蘇生・搬送・治療）', '連絡先', '服薬', 'アレルギー・禁忌'].map((name) => screen.getByRole('heading', { name: new RegExp(`^${name.replace(/[()（）・]/g, '.')}$`) }));
    for (let i = 1; i < headings.length; i++) {
      expect(headings[i - 1].compareDocumentPosition(headings[i]) & Node.DOCUMENT_POSITION_FOLLOWING, `${headings[i - 1].textContent} before ${headings[i].textContent}`).toBeTruthy();
    }
    expect(screen.getByRole('timer').textContent).toMatch(/^0:0[0-6]$/);
    expect(screen.getByRole('link', { name: /090-0000-0001/ }).getAttribute('href')).toBe('tel:09000000001');

    // the grant ends: the data leave the screen, and the page says so and what to do
    const ended = await screen.findByRole('alert', {}, { timeout: 15_000 });
    expect(ended.textContent).toContain('緊急時アクセスの期限が切れました。');
    expect(ended.textContent).toContain('表示していた患者の情報は画面から消去しました。');
    expect(screen.queryByText('DNAR — 心肺蘇生を希望しない')).toBeNull();
    expect(screen.queryByText(/山田 花子/)).toBeNull();
    expect(screen.getAllByRole('alert')).toHaveLength(1); // said once, not again by a status line
  }, 30_000);

  it('says in Japanese that no patient was found, with what to do, and shows nothing of anyone', async () => {
    const { fetchFn } = hub(60_000, 404);
    renderWithProviders(<EmergencyPage />, { path: '/emergency', fetchFn });
    await declare('意識消失');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('該当する患者が見つかりません。');
    expect(alert.textContent).toContain('氏名（姓と名）と生年月日を確かめて');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.queryByRole('timer')).toBeNull();
    expect((fetchFn as unknown as { mock: { calls: unknown[][] } }).mock.calls.some((c) => String(c[0]).includes('$emergency-summary'))).toBe(false);
  }, 30_000);
});
