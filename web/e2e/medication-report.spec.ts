// Pharmacist (issue 20 point 1): 小林 美咲 writes a 服薬情報提供書 for 佐藤 一郎 with the hand-off form's machinery and
// sends it to the home doctor and the care manager from the care team; each finds it in the inbox and opens it.
import { expect, test } from '@playwright/test';
import { expectAccessible, SCREENSHOTS, signIn, USERS } from './support';

const PATIENT = '佐藤 一郎';

test('the pharmacist sends a 服薬情報提供書 to the home doctor and the care manager, who find it in their inboxes', async ({ browser }) => {
  const pharmacy = await browser.newContext();
  const careManager = await browser.newContext();
  const physician = await browser.newContext();
  try {
    const page = await pharmacy.newPage();
    await signIn(page, USERS.pharmacist, 'patients');
    await page.getByRole('list', { name: '患者' }).getByRole('link', { name: new RegExp(`^${PATIENT}`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName(new RegExp(`^${PATIENT}`));
    await page.getByRole('link', { name: '服薬情報提供書を作成' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('服薬情報提供書の作成');
    await expect(page.getByRole('heading', { level: 2, name: '2. 服薬の状況' })).toBeVisible();

    const marker = `E2E-服薬-${Date.now()}`;
    await page.getByRole('textbox', { name: /^服薬状況/ }).fill(`${marker} 朝食後の薬の飲み忘れが週2回程度。お薬カレンダーで家族が確認。`);
    await page.getByRole('textbox', { name: /^残薬/ }).fill('アムロジピン錠 5mg 10錠');
    await page.getByRole('textbox', { name: /^副作用/ }).fill('ふらつきの訴えあり。');
    await page.getByRole('textbox', { name: /^処方・服薬支援への提案/ }).fill('一包化と、服用を朝1回にまとめることのご検討をお願いします。');
    await expectAccessible(page, 'the medication report, filled');
    await page.getByRole('button', { name: '次へ', exact: true }).click();

    await expect(page.getByRole('heading', { level: 2, name: '3. 送付先' })).toBeVisible();
    const recipients = page.getByRole('group', { name: '送付先' });
    await recipients.getByRole('checkbox', { name: /^伊藤 健一/ }).check();
    await recipients.getByRole('checkbox', { name: /^佐々木 和子/ }).check();
    await page.getByRole('button', { name: '次へ', exact: true }).click();

    await expect(page.getByRole('heading', { level: 2, name: '4. 確認と送信' })).toBeVisible();
    const preview = page.getByRole('article', { name: '送信前の確認（文書のプレビュー）' });
    await expect(preview).toContainText('服薬情報提供書');
    await expect(preview).toContainText(marker);
    await expect(preview).toContainText('伊藤 健一');
    await expect(preview).toContainText('佐々木 和子');
    await expectAccessible(page, 'the medication report, review');
    await page.screenshot({ path: `${SCREENSHOTS}medication-report.png`, fullPage: true, animations: 'disabled' });

    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir/Bundle'));
    await page.getByRole('button', { name: '送信する' }).click();
    const response = await posted;
    expect(response.status(), `the hub stores the report; it answered ${response.status()}`).toBe(201);
    await expect(page.getByRole('status').filter({ hasText: '服薬情報提供書を送信しました' })).toBeVisible();
    await expectAccessible(page, 'the medication report after sending');

    // each recipient: 受信箱 → the report's row → the report's text
    for (const [context, user] of [
      [careManager, USERS.careManager],
      [physician, USERS.physician],
    ] as const) {
      const inbox = await context.newPage();
      await signIn(inbox, user, 'inbox');
      await expect(inbox.getByRole('heading', { level: 1 })).toHaveText('受信箱');
      const row = inbox.getByRole('list', { name: '受信した引継ぎと回答' }).getByRole('listitem', { name: new RegExp(`^服薬情報提供書 ${PATIENT} 未受領`) }).first();
      await expect(row).toBeVisible();
      await expectAccessible(inbox, `${user.username}'s inbox with the report`);
      await row.getByRole('link', { name: `${PATIENT} さん` }).click();
      await expect(inbox.getByRole('main')).toContainText(marker);
      await expect(inbox.getByRole('main')).toContainText('一包化と、服用を朝1回にまとめることのご検討をお願いします。');
      await expectAccessible(inbox, `the report as ${user.username} opens it`);
    }
  } finally {
    await pharmacy.close();
    await careManager.close();
    await physician.close();
  }
});
