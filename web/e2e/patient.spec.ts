// Issue 20 point 5, the patient and their family: 山田 花子 signs in to her own record and documents (with the PDF print),
// reads who looked at her record (閲覧履歴, from the hub's audit trail: name, profession, organisation, purpose),
// starts sharing with an organisation and stops it, each visible at once; her daughter, her registered proxy, sees the
// same patient. axe on every state, and the pages at 375 px.
import { expect, test, type Page } from '@playwright/test';
import { fillSteps, openNewHandoff, send } from './handoffSteps';
import { expectAccessible, expectNoHorizontalScroll, SCREENSHOTS, signIn, USERS } from './support';

const HEADING = '山田 花子（ヤマダ ハナコ）';
// keycloak/demo-fhir.json: on her care team, so sharing with it alone changes nothing else any spec relies on
const ORGANISATION = 'ひまわり薬局';

async function settled(page: Page): Promise<void> {
  await expect(page.getByRole('status', { name: /読み込み中|更新中/ })).toHaveCount(0);
}

async function atPhoneWidth(page: Page, what: string): Promise<void> {
  const desktop = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 812 });
  await expectNoHorizontalScroll(page, what);
  await expectAccessible(page, `${what} at 375 px`);
  await page.setViewportSize(desktop);
}

test('山田 花子 sees her record and documents, who looked at it, and starts and stops sharing; her daughter sees the same', async ({ browser }) => {
  // a professional's access first, in a context of its own: the MSW sends a hand-off (a document for her record)
  const msw = await browser.newContext();
  const marker = `E2E-patient-${Date.now()}`;
  let documentId = '';
  try {
    const page = await msw.newPage();
    await signIn(page, USERS.msw);
    await openNewHandoff(page);
    await fillSteps(page, marker);
    documentId = ((await (await send(page)).json()) as { id: string }).id;
  } finally {
    await msw.close();
  }

  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    // her home is her record: the patient page of her own patient, no patient list
    await signIn(page, USERS.patient);
    await expect(page).toHaveURL(/\/app\/my$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName(HEADING);
    await expect(page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '患者一覧' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: '情報共有の同意' })).toContainText('同意あり');
    await settled(page);
    await expectAccessible(page, 'her record');

    // the document the MSW sent, opened from her timeline, and its PDF
    const timeline = page.getByRole('list', { name: 'タイムライン（新しい順）' });
    await timeline.getByRole('button', { name: /^文書: 退院時情報提供書/ }).first().click();
    await expect(page).toHaveURL(new RegExp(`[?&]record=Bundle(/|%2F)${documentId}(&|$)`));
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(marker);
    await expectAccessible(page, 'a document of hers', '[role="dialog"]');
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/$pdf'));
    const downloaded = page.waitForEvent('download');
    await dialog.getByRole('button', { name: '印刷用PDFを開く' }).click();
    const pdf = await answered;
    expect(new URL(pdf.url()).pathname).toMatch(new RegExp(`/fhir/Bundle/${documentId}/\\$pdf$`));
    expect(pdf.status(), 'her own document as PDF').toBe(200);
    await downloaded;
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await atPhoneWidth(page, 'her record');

    // 閲覧履歴: the MSW's access, with name, profession, organisation and purpose; her own use hidden until asked
    await page.getByRole('navigation', { name: 'ご本人の記録のメニュー' }).getByRole('link', { name: '閲覧履歴' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '閲覧履歴' })).toBeVisible();
    const log = page.getByRole('list', { name: '閲覧履歴の一覧' });
    // his sending of the hand-off (the notifications he received of her records are rows named for him too)
    const mswRow = log
      .getByRole('listitem', { name: /加藤 大輔・医療ソーシャルワーカー・みちのく中央病院/ })
      .filter({ hasText: /したこと記録を(見ました|探して見ました|作りました|まとめて送りました)/ })
      .first();
    await expect(mswRow).toBeVisible();
    await expect(mswRow).toContainText('目的ケアの調整のため');
    await expect(log.getByText('本人', { exact: true })).toHaveCount(0);
    await settled(page);
    await expectAccessible(page, 'her access log');
    await page.screenshot({ path: `${SCREENSHOTS}patient-access-log.png`, animations: 'disabled' });
    await page.getByRole('checkbox', { name: 'ご本人とご家族が見たものも表示する' }).check();
    await expect(log.getByText('本人', { exact: true }).first()).toBeVisible();
    await settled(page);
    await expectAccessible(page, 'her access log with her own reads');
    await atPhoneWidth(page, 'her access log');

    // 共有の設定: the care team is shared with (the demo Consent); start sharing with the pharmacy, then stop it
    await page.getByRole('navigation', { name: 'ご本人の記録のメニュー' }).getByRole('link', { name: '共有の設定' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '共有の設定' })).toBeVisible();
    const shared = page.getByRole('list', { name: '共有している相手の一覧' });
    await expect(shared.getByRole('listitem', { name: /^ケアチームの全員/ })).toBeVisible();
    const pharmacy = shared.getByRole('listitem', { name: ORGANISATION, exact: true });
    await expect(pharmacy).toHaveCount(0);
    await settled(page);
    await expectAccessible(page, 'her sharing');

    await page.getByRole('combobox', { name: '共有する病院・事業所' }).click();
    await page.getByRole('option', { name: ORGANISATION }).click();
    await page.getByRole('button', { name: '共有を始める', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: '共有を始めますか？' });
    await expect(confirm).toContainText(`山田 花子さんの記録`);
    await expect(confirm).toContainText(ORGANISATION);
    await expectAccessible(page, 'the confirmation to start sharing', '[role="dialog"]');
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir/Consent'));
    await confirm.getByRole('button', { name: '同意して共有を始める' }).click();
    expect((await created).status(), 'the hub records her Consent').toBe(201);
    // at once, without reload: the notice and the list
    await expect(page.getByRole('alert').filter({ hasText: `${ORGANISATION}との共有を始めました。` })).toBeVisible();
    await expect(pharmacy).toBeVisible();
    await expect(pharmacy).toContainText('設定した人: ご本人');
    await settled(page);
    await expectAccessible(page, 'her sharing with the pharmacy');
    await page.screenshot({ path: `${SCREENSHOTS}patient-consent.png`, animations: 'disabled' });
    await atPhoneWidth(page, 'her sharing');

    await pharmacy.getByRole('button', { name: '共有を止める' }).click();
    const stop = page.getByRole('dialog', { name: '共有を止めますか？' });
    await expect(stop).toContainText(`${ORGANISATION}は、この後すぐに、記録を新しく見ることができなくなります`);
    await expectAccessible(page, 'the confirmation to stop sharing', '[role="dialog"]');
    await stop.getByRole('textbox', { name: /止める理由/ }).fill('E2E: 共有を止める');
    const revoked = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/$revoke'));
    await stop.getByRole('button', { name: '共有を止める' }).click();
    expect((await revoked).status(), 'the hub revokes it').toBe(200);
    await expect(page.getByRole('alert').filter({ hasText: `${ORGANISATION}との共有を止めました。` })).toBeVisible();
    await expect(pharmacy).toHaveCount(0);
    await expect(shared.getByRole('listitem', { name: /^ケアチームの全員/ })).toBeVisible();
    await settled(page);
    await expectAccessible(page, 'her sharing after stopping it');

    // her record's consent badge, after the change, without reload
    await page.getByRole('navigation', { name: 'ご本人の記録のメニュー' }).getByRole('link', { name: '記録と文書' }).click();
    await expect(page.getByRole('region', { name: '情報共有の同意' })).toContainText('同意あり');
  } finally {
    await context.close();
  }

  // her daughter, her registered proxy: the same patient, the same log with 山田 花子's own reads marked 本人
  const family = await browser.newContext();
  try {
    const daughter = await family.newPage();
    await signIn(daughter, USERS.family);
    await expect(daughter).toHaveURL(/\/app\/my$/);
    await expect(daughter.getByRole('heading', { level: 1 })).toHaveAccessibleName(HEADING);
    await expect(daughter.getByText('ご家族として、ご本人の記録を見ています。')).toBeVisible();
    await settled(daughter);
    await expectAccessible(daughter, "her daughter's view of her record");
    await daughter.getByRole('navigation', { name: 'ご本人の記録のメニュー' }).getByRole('link', { name: '閲覧履歴' }).click();
    const log = daughter.getByRole('list', { name: '閲覧履歴の一覧' });
    await expect(log.getByRole('listitem', { name: /加藤 大輔・医療ソーシャルワーカー・みちのく中央病院/ }).first()).toBeVisible();
    await daughter.getByRole('checkbox', { name: 'ご本人とご家族が見たものも表示する' }).check();
    // her own visits are newest and may fill the first rows (with the whole suite's events): older ones on request
    const mother = log.getByText('本人', { exact: true }).first();
    const older = daughter.getByRole('button', { name: 'さらに古い履歴を表示' });
    await expect(log.getByText('ご家族', { exact: true }).first()).toBeVisible();
    for (let more = 0; more < 10 && !(await mother.isVisible()) && (await older.isVisible()); more++) {
      await older.click();
      await settled(daughter);
    }
    await expect(mother).toBeVisible();
    await settled(daughter);
    await expectAccessible(daughter, "her daughter's access log");
    await daughter.getByRole('navigation', { name: 'ご本人の記録のメニュー' }).getByRole('link', { name: '共有の設定' }).click();
    await expect(daughter.getByRole('list', { name: '共有している相手の一覧' }).getByRole('listitem', { name: /^ケアチームの全員/ })).toBeVisible();
    await expect(daughter.getByRole('list', { name: '共有している相手の一覧' }).getByRole('listitem', { name: ORGANISATION, exact: true })).toHaveCount(0);
    await settled(daughter);
    await expectAccessible(daughter, "her daughter's sharing page");
    await atPhoneWidth(daughter, "her daughter's sharing page");
  } finally {
    await family.close();
  }
});
