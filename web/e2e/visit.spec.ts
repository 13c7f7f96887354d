// Visiting nurse on a phone (issue 20 point 1): at 375 × 812 she opens 山田 花子, 「訪問記録を入力」, enters the vital
// signs, 意識, 食事量, 排泄 and a note, marks the temperature and the note いつもと違う, and sends one transaction. The care
// manager's browser, open on the same patient all along, shows the notice live, the flagged entries first on the
// timeline and the new values in the trend chart. axe on each state; no sideways scroll on the phone.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, expectNoHorizontalScroll, SCREENSHOTS, signIn, USERS } from './support';

const PATIENT = '山田 花子';
const PHONE = { width: 375, height: 812 };

async function connected(page: Page): Promise<void> {
  await expect(page.locator('[data-live-status="connected"]')).toBeAttached({ timeout: 30_000 });
}

test('the visiting nurse records a visit at 375 px, flagged いつもと違う; the care manager sees it live and first', async ({ browser }) => {
  const careManager = await browser.newContext();
  const nurse = await browser.newContext({ viewport: PHONE, hasTouch: true });
  try {
    // the care manager has 山田 花子's page open before the visit is sent
    const cm = await careManager.newPage();
    await signIn(cm, USERS.careManager, 'patients/pat-yamada');
    await expect(cm.getByRole('heading', { level: 1 })).toHaveAccessibleName(new RegExp(`^${PATIENT}`));
    await connected(cm);
    await cm.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const page = await nurse.newPage();
    await signIn(page, USERS.visitingNurse, 'patients');
    await page.getByRole('list', { name: '患者' }).getByRole('link', { name: new RegExp(`^${PATIENT}`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName(new RegExp(`^${PATIENT}`));
    await expectNoHorizontalScroll(page, "the nurse's patient page");
    await page.getByRole('link', { name: '訪問記録を入力' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`訪問記録の入力（${PATIENT}）`);
    await expectAccessible(page, 'the visit form, empty');
    await expectNoHorizontalScroll(page, 'the visit form');

    // sensible keypads
    const temperature = page.getByRole('textbox', { name: '体温（℃）' });
    await expect(temperature).toHaveAttribute('inputmode', 'decimal');
    await expect(page.getByRole('textbox', { name: '脈拍（回/分）' })).toHaveAttribute('inputmode', 'numeric');

    // a typo is explained in Japanese with the range and what to do, and nothing is sent
    await temperature.fill('379');
    await temperature.press('Tab');
    await expect(page.getByText('体温は34〜42℃の範囲で入力してください（入力: 379）。値を確かめ、必要なら測り直してください。')).toBeVisible();
    await expectAccessible(page, 'the visit form with a value out of range');
    await temperature.fill('37.9');
    await page.getByRole('textbox', { name: '収縮期（mmHg）' }).fill('142');
    await page.getByRole('textbox', { name: '拡張期（mmHg）' }).fill('88');
    await page.getByRole('textbox', { name: '脈拍（回/分）' }).fill('92');
    await page.getByRole('textbox', { name: 'SpO2（%）' }).fill('95');
    await page.getByRole('textbox', { name: '呼吸数（回/分）' }).fill('20');
    await page.getByRole('group', { name: '意識（清明・JCS）' }).getByText('清明', { exact: true }).click();
    await page.getByRole('group', { name: '食事量（割）' }).getByText('6割', { exact: true }).click();
    await page.getByRole('radiogroup', { name: '排尿' }).getByText('あり', { exact: true }).click();
    await page.getByRole('radiogroup', { name: '排便' }).getByText('なし', { exact: true }).click();
    const note = `E2E-訪問-${Date.now()} いつもより口数が少なく、昼食を残した。`;
    await page.getByRole('textbox', { name: '訪問時の記録（自由記載）' }).fill(note);
    await page.getByRole('checkbox', { name: 'いつもと違う（体温）' }).check();
    await page.getByRole('checkbox', { name: 'いつもと違う（訪問時の記録）' }).check();
    await expect(page.getByText('送信する項目: 体温（いつもと違う）、血圧、脈拍、SpO2、呼吸数、意識、食事量、排泄、訪問時の記録（いつもと違う）')).toBeVisible();
    await expectAccessible(page, 'the visit form, filled');
    await expectNoHorizontalScroll(page, 'the visit form, filled');
    await page.screenshot({ path: `${SCREENSHOTS}visit-375.png`, fullPage: true, animations: 'disabled' });

    // one transaction: every entry stored (201), all or nothing
    const posted = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/fhir' && (r.request().postDataJSON() as { type?: string } | null)?.type === 'transaction',
    );
    await page.getByRole('button', { name: '送信', exact: true }).click();
    const response = await posted;
    expect(response.status(), `the hub stores the visit; it answered ${response.status()}`).toBe(200);
    const sent = (await response.json()) as { type: string; entry: Array<{ response: { status: string } }> };
    expect(sent.type).toBe('transaction-response');
    expect(sent.entry.map((e) => e.response.status)).toEqual(Array(9).fill('201 Created'));
    await expect(page.getByRole('status').filter({ hasText: '訪問記録を送信しました' }).first()).toBeVisible();
    await expectAccessible(page, 'the visit form after sending');

    // the care manager, never reloaded: the notice at once, the flagged entries first, the chart's new values
    const notice = cm.getByRole('alert').filter({ hasText: `いつもと違う: ${PATIENT} — 体温 37.9℃` });
    await expect(notice).toBeVisible({ timeout: 15_000 });
    await expect(cm.getByRole('alert').filter({ hasText: `いつもと違う: ${PATIENT} — 訪問時の記録` })).toBeVisible();
    const timeline = cm.getByRole('list', { name: 'タイムライン（新しい順）' });
    await expect(timeline.getByRole('listitem').first().getByRole('button')).toHaveAccessibleName(/^いつもと違う、観察・バイタル: (体温|訪問時の記録)/);
    await expect(timeline.getByRole('listitem').nth(1).getByRole('button')).toHaveAccessibleName(/^いつもと違う、観察・バイタル: (体温|訪問時の記録)/);
    const latest = cm.getByRole('table', { name: '最新のバイタルサイン' });
    await expect(latest.getByRole('row', { name: /^体温/ })).toContainText('37.9℃');
    await expect(latest.getByRole('row', { name: /^体温/ })).toContainText('いつもと違う');
    await expect(latest.getByRole('row', { name: /^収縮期血圧/ })).toContainText('142mmHg');
    await expect(cm.getByTestId('vitals-chart').locator('svg')).toBeVisible();
    expect(await cm.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'the page was not reloaded').toBe(true);
    await expectAccessible(cm, "the care manager's patient page with the notice");
    await cm.getByRole('region', { name: /^バイタルの推移/ }).screenshot({ path: `${SCREENSHOTS}vitals-chart.png`, animations: 'disabled' });

    // the nurse's own patient page shows them too, on the phone
    await page.getByRole('link', { name: '患者ページへ戻る' }).click();
    await expect(page.getByRole('table', { name: '最新のバイタルサイン' }).getByRole('row', { name: /^脈拍/ })).toContainText('92回/分');
    await expect(page.getByRole('list', { name: 'タイムライン（新しい順）' }).getByRole('listitem').first().getByRole('button')).toHaveAccessibleName(/^いつもと違う、/);
    await expectNoHorizontalScroll(page, "the nurse's patient page with the chart");
    await expectAccessible(page, "the nurse's patient page with the chart");
  } finally {
    await careManager.close();
    await nurse.close();
  }
});
