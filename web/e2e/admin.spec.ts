// The hub administrator (issue 20, point 7): her home shows the hub's health — the audit chain, the deployment CA's
// certificate and CRL, the notification sockets, the overdue hand-offs — from `GET /fhir/$hub-status`, and nothing of
// any patient, neither on the page nor in any answer the app received: a patient's address opens no patient page.
import { expect, test, type Page, type Response } from '@playwright/test';
import { expectAccessible, expectNoHorizontalScroll, SCREENSHOTS, signIn, USERS } from './support';

const ADMIN = USERS.hubAdmin;
/** What identifies the demo patients (keycloak/demo-fhir.json): their names in kanji and kana. */
const PATIENT_DATA = ['山田', 'ヤマダ', '花子', '佐藤', 'サトウ', '一郎', '鈴木', 'スズキ', 'トメ', 'pat-yamada', 'pat-sato', 'pat-suzuki'];

/** 2036年12月5日 — a date as the app writes it, in Japan's time zone. */
const day = (iso: string) =>
  new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' }).format(Date.parse(iso));

interface Part {
  name: string;
  valueString?: string;
  valueCode?: string;
  valueInstant?: string;
  valueInteger?: number;
  part?: Part[];
}
const part = (parts: Part[] | undefined, name: string) => parts?.find((p) => p.name === name);

/** No patient's name or id in what the page shows. */
async function expectNoPatientShown(page: Page, what: string): Promise<void> {
  const shown = await page.locator('body').innerText();
  for (const datum of PATIENT_DATA) expect(shown, `${what} shows "${datum}"`).not.toContain(datum);
}

/** Presses Tab until the element named {@code name} has the focus (the keyboard alone reaches it). */
async function tabTo(page: Page, name: string): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => (document.activeElement?.textContent ?? '').trim().slice(0, 30));
    seen.push(focused);
    if (focused === name) return;
  }
  throw new Error(`Tab never reached ${name}; it went through: ${seen.join(' → ')}`);
}

test('the hub administrator sees the hub’s health and no patient data', async ({ page }) => {
  const answers: Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/fhir/')) answers.push(r);
  });
  const firstStatus = page.waitForResponse((r) => new URL(r.url()).pathname === '/fhir/$hub-status');
  await signIn(page, ADMIN);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ADMIN.home);
  await expect(page.getByRole('banner')).toContainText(ADMIN.name);
  await expect(page.getByRole('banner')).toContainText(ADMIN.profession);
  expect((await firstStatus).status()).toBe(200);

  // the app's own notification socket is open: asked again, the hub counts it
  await expect(page.getByRole('status', { name: 'リアルタイム通知: 接続中' })).toBeVisible({ timeout: 20_000 });
  // by keyboard alone: Tab to the refresh button, Enter asks the hub again
  const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/fhir/$hub-status');
  await tabTo(page, '最新の状態に更新');
  await page.keyboard.press('Enter');
  const answer = await refreshed;
  expect(answer.status()).toBe(200);
  const status = (await answer.json()) as { parameter: Part[] };
  const top = status.parameter;

  const chain = page.getByRole('region', { name: '監査ログの連鎖' });
  await expect(chain.getByLabel('状態: 正常')).toBeVisible();
  await expect(chain).toContainText('最終確認日時');
  await expect(chain).toContainText(day(part(part(top, 'auditChain')?.part, 'checkedAt')!.valueInstant!));

  const anchor = top.find((p) => p.name === 'certificate' && part(p.part, 'role')?.valueCode === 'trust-anchor')!;
  const ca = page.getByRole('region', { name: '認証局証明書の有効期限' });
  await expect(ca).toContainText(part(anchor.part, 'name')!.valueString!);
  await expect(ca).toContainText(`有効期限: ${day(part(anchor.part, 'notAfter')!.valueInstant!)}`);
  await expect(ca).toContainText(/残り\d+日/);

  const crl = top.find((p) => p.name === 'crl')!;
  await expect(page.getByRole('region', { name: 'CRL 次回更新' })).toContainText(`次回更新: ${day(part(crl.part, 'nextUpdate')!.valueInstant!)}`);

  const open = part(part(top, 'notificationSockets')?.part, 'open')!.valueInteger!;
  expect(open, 'the app’s own socket is counted').toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('region', { name: '接続中の通知ソケット数' }).getByLabel(`接続中の通知ソケット: ${open}`)).toBeVisible();

  const overdue = part(top, 'overdueHandoffs')!.valueInteger!;
  expect(overdue).toBeGreaterThanOrEqual(0);
  await expect(page.getByRole('region', { name: '期限超過の引継ぎ件数' }).getByLabel(`期限超過の引継ぎ: ${overdue}件`)).toBeVisible();

  await expectAccessible(page, "the hub administrator's home");
  await expectNoPatientShown(page, "the hub administrator's home");
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: `${SCREENSHOTS}admin-home.png`, animations: 'disabled', fullPage: true });

  // no patient list in her menu; a patient's address, typed, opens no patient page and asks the hub for nothing
  await expect(page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '患者一覧' })).toHaveCount(0);
  for (const address of ['patients', 'patients/pat-yamada']) {
    await page.goto(address);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('表示できないページです');
    await expect(page.getByText('ハブ管理者には患者の情報を表示しません')).toBeVisible();
    await expectNoPatientShown(page, `/app/${address}`);
  }
  await expectAccessible(page, "a patient's page, for the hub administrator");
  await tabTo(page, 'ホームへ戻る');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ADMIN.home);

  // at 375 px, on a phone: the cards fit the width
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto('./');
  await expect(page.getByRole('region', { name: '監査ログの連鎖' }).getByLabel('状態: 正常')).toBeVisible();
  await expectNoHorizontalScroll(page, "the hub administrator's home");
  await expectAccessible(page, "the hub administrator's home at 375 px");

  await expectNoPatientShown(page, "the hub administrator's home at 375 px");
  for (const received of answers) {
    const body = (await received.body().catch(() => Buffer.from(''))).toString('utf8');
    for (const datum of PATIENT_DATA) {
      expect(body, `${received.request().method()} ${new URL(received.url()).pathname} answered with "${datum}"`).not.toContain(datum);
    }
  }
  expect(answers.filter((a) => new URL(a.url()).pathname.startsWith('/fhir/Patient')).map((a) => a.url()), 'the app asked for no patient').toEqual([]);
});
