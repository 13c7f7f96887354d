// Discharge nurse / MSW and care manager (issue 19, flows 2 and 3): the MSW fills the 退院時情報提供書 step by step,
// chooses the care manager from the care team and sends; the sent list shows her Task with its fee-rule deadline; the
// care manager's open inbox shows a new hand-off without reload within 2 s of the send being answered.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { DISCHARGE_IN_DAYS, fillSteps, japanDay, japaneseDate, openNewHandoff, PATIENT, send } from './handoffSteps';
import { expectAccessible, SCREENSHOTS, signIn, USERS } from './support';

test('the MSW fills the hand-off step by step, sends it to the care manager, and the sent list shows her Task and deadline', async ({ page }) => {
  await signIn(page, USERS.msw);
  await openNewHandoff(page);
  const marker = `E2E-${Date.now()}`;
  await fillSteps(page, marker, async () => {
    await expectAccessible(page, 'the hand-off form (入院と診断)');
    await page.evaluate(() => document.fonts.ready);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENSHOTS}handoff-form.png`, animations: 'disabled' });
  });
  await expectAccessible(page, 'the hand-off form (確認と送信)');

  // the PDF preview before sending: the hub prints the unsent document (POST Bundle/$pdf), marked 未送信, storing nothing
  const previewed = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/Bundle/$pdf'));
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'PDFで確認（送信前）' }).click();
  const previewAnswer = await previewed;
  expect(previewAnswer.request().method()).toBe('POST');
  expect(previewAnswer.status()).toBe(200);
  const download = await downloaded;
  expect(download.suggestedFilename()).toBe('退院時情報提供書_送信前確認.pdf');
  expect((await readFile(await download.path())).subarray(0, 5).toString('latin1'), 'a PDF file').toBe('%PDF-');
  await expect(page.getByRole('heading', { level: 2, name: '7. 確認と送信' }), 'still on the review step: nothing was sent').toBeVisible();

  const response = await send(page);
  const bundle = (await response.json()) as { id?: string };
  await expect(page.getByRole('status').filter({ hasText: '退院時情報提供書を送信しました' })).toBeVisible();
  await expectAccessible(page, 'the hand-off form after sending');

  await page.getByRole('link', { name: '送信済み一覧へ' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('送信済みの退院時情報提供書');
  // newest first: the document just sent, with the care manager's Task, its state and the discharge-day deadline
  const newest = page.getByRole('main').getByRole('listitem').first();
  await expect(newest).toHaveAccessibleName(new RegExp(`^${PATIENT} `));
  const row = newest.getByRole('row').filter({ hasText: '佐々木 和子' });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell').nth(1)).toHaveText('送信済み（未受領）');
  const due = japanDay(DISCHARGE_IN_DAYS);
  await expect(row.getByRole('cell').nth(2)).toContainText(`残り${DISCHARGE_IN_DAYS}日（期限 ${japaneseDate(due)}`);
  expect(bundle.id, 'the stored document').toBeTruthy();
  await expectAccessible(page, 'the sent list');
});

test("the care manager's open inbox shows the MSW's hand-off within 2 s of the send, without reload, with a notice", async ({ browser }) => {
  const careManager = await browser.newContext();
  const msw = await browser.newContext();
  try {
    const inbox = await careManager.newPage();
    await signIn(inbox, USERS.careManager, 'inbox');
    await expect(inbox.getByRole('heading', { level: 1 })).toHaveText('受信箱');
    await expect(inbox.getByText(/^\d+件/)).toBeVisible();
    const rows = inbox.getByRole('list', { name: '受信した引継ぎと回答' }).getByRole('listitem');
    const before = await rows.count();
    await expectAccessible(inbox, 'the inbox');

    // the inbox page records when a row is added (the browser's clock, the same machine's as the MSW's response time)
    await inbox.evaluate((count) => {
      const w = window as unknown as { notReloaded: boolean; arrivedAt?: number };
      w.notReloaded = true;
      const list = () => document.querySelectorAll('ol[aria-label="受信した引継ぎと回答"] > li').length;
      new MutationObserver((_, observer) => {
        if (list() > count) {
          w.arrivedAt = Date.now();
          observer.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    }, before);

    const sender = await msw.newPage();
    await signIn(sender, USERS.msw);
    await openNewHandoff(sender);
    await fillSteps(sender, `E2E-live-${Date.now()}`);
    const response = await send(sender);
    await response.finished();
    const timing = response.request().timing();
    const answeredAt = timing.startTime + (timing.responseEnd >= 0 ? timing.responseEnd : timing.responseStart);

    await expect(rows).toHaveCount(before + 1);
    const arrivedAt = await inbox.evaluate(() => (window as unknown as { arrivedAt?: number }).arrivedAt);
    expect(arrivedAt, 'the time the row was added').toBeDefined();
    const delivery = arrivedAt! - answeredAt;
    test.info().annotations.push({ type: 'delivery-ms', description: String(delivery) });
    console.log(`hand-off delivered to the open inbox ${delivery} ms after the hub answered the send`);
    expect(delivery, 'ms from the hub answering the send to the row in the inbox').toBeLessThanOrEqual(2000);

    await expect(inbox.getByRole('listitem', { name: new RegExp(`^退院時情報提供書 ${PATIENT} `) }).first()).toBeVisible();
    await expect(inbox.getByText('新着: 退院時情報提供書')).toBeVisible();
    await expect(inbox.getByRole('status').filter({ hasText: '新着が1件あります' })).toContainText(PATIENT);
    expect(await inbox.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'the inbox was not reloaded').toBe(true);
    await expectAccessible(inbox, 'the inbox with a new arrival and its notice');
  } finally {
    await msw.close();
    await careManager.close();
  }
});
