// Discharge nurse / MSW and care manager (issue 19, flows 2 and 3): the MSW fills the 退院時情報提供書 step by step,
// chooses the care manager from the care team and sends; the sent list shows her Task with its fee-rule deadline; the
// care manager's open inbox shows a new hand-off without reload within 2 s of the send being answered.
import { expect, test, type Page, type Response } from '@playwright/test';
import { expectAccessible, SCREENSHOTS, signIn, USERS } from './support';

// keycloak/demo-fhir.json: 山田 花子's care team holds both the MSW (みちのく中央病院) and the care manager
const PATIENT = '山田 花子';
const CARE_MANAGER = /^佐々木 和子（.*）・いわて在宅ケアセンター$/;
const DISCHARGE_IN_DAYS = 3;

/** A day {@code days} from today in Japan, as the date input takes it (YYYY-MM-DD). */
function japanDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
}

/** 2026年11月25日: the day as the deadline labels write it (without the weekday, which ICU versions spell alike). */
function japaneseDate(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** From the patient list to a new draft of 山田 花子's hand-off (a fresh page: a new draft with its own identifier). */
async function openNewHandoff(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '患者一覧' }).click();
  await page.getByRole('list', { name: '患者' }).getByRole('link', { name: new RegExp(`^${PATIENT}`) }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName(new RegExp(`^${PATIENT}`));
  await page.getByRole('link', { name: '退院時情報提供書を作成' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('退院時情報提供書の作成');
  await expect(page.getByRole('heading', { level: 2, name: '2. 入院と診断' })).toBeVisible();
  // the prefill (the hub's records and the author's role) has answered
  await expect(page.getByRole('status', { name: 'ハブの記録を読み込み中' })).toHaveCount(0);
}

/** Each step of the form, by the labels and buttons docs/web-app.md §8 names; returns on the review step. */
async function fillSteps(page: Page, marker: string, onStay?: () => Promise<void>): Promise<void> {
  const next = page.getByRole('button', { name: '次へ', exact: true });

  // 2. 入院と診断
  await page.getByLabel('入院日').fill(japanDay(-14));
  await page.getByLabel('退院日（予定日）').fill(japanDay(DISCHARGE_IN_DAYS));
  await page.getByRole('textbox', { name: '入院理由（入院原因疾患）' }).fill('右大腿骨頸部骨折');
  await page.getByRole('textbox', { name: '退院先' }).fill('自宅（長女と同居）');
  await page.getByRole('button', { name: '病名を追加' }).click();
  await page.getByRole('textbox', { name: '病名 1', exact: true }).fill('右大腿骨頸部骨折（術後）');
  await page.getByRole('textbox', { name: '備考（状況など） 1', exact: true }).fill('安定');
  await page.getByRole('textbox', { name: '入院中の経過・治療内容' }).fill(`人工骨頭置換術後、歩行器で歩行訓練中。${marker}`);
  await onStay?.();
  await next.click();

  // 3. 薬と処置 (all optional: the hub receives emptyReason for what is left empty)
  await expect(page.getByRole('heading', { level: 2, name: '3. 薬と処置' })).toBeVisible();
  await next.click();

  // 4. 生活機能: ADL, 自立度, 栄養 each need one answer
  await expect(page.getByRole('heading', { level: 2, name: '4. 生活機能' })).toBeVisible();
  await page.getByRole('combobox', { name: '移動（任意）', exact: true }).selectOption({ label: '一部介助' });
  await page.getByRole('combobox', { name: '要介護度（任意）', exact: true }).selectOption({ label: '要介護2' });
  await page.getByRole('combobox', { name: '食事形態（任意）', exact: true }).selectOption({ label: '常食' });
  await next.click();

  // 5. 意向と在宅準備
  await expect(page.getByRole('heading', { level: 2, name: '5. 意向と在宅準備' })).toBeVisible();
  await page.getByRole('textbox', { name: '病状の説明と本人・家族の受け止め・退院後の生活の意向' }).fill('自宅で長女と暮らしたい。');
  await page.getByRole('textbox', { name: '予後・予測される変化と急変時の対応（医療機関・本人の希望）' }).fill('転倒に注意。急変時はみちのく中央病院へ。');
  await page.getByRole('textbox', { name: '在宅療養の準備（福祉用具・住宅改修・サービス）と看護・リハビリの留意点' }).fill('歩行器の貸与、手すりの設置。');
  await next.click();

  // 6. 送付先: the care manager from the care team (no reference is typed)
  await expect(page.getByRole('heading', { level: 2, name: '6. 送付先' })).toBeVisible();
  const recipients = page.getByRole('group', { name: '送付先' });
  await recipients.getByRole('checkbox', { name: CARE_MANAGER }).check();
  await expect(recipients.getByText(/^選択中: 佐々木 和子/)).toBeVisible();
  await next.click();

  // 7. 確認と送信: the document in the PDF's order
  await expect(page.getByRole('heading', { level: 2, name: '7. 確認と送信' })).toBeVisible();
  const preview = page.getByRole('article', { name: '送信前の確認（文書のプレビュー）' });
  await expect(preview).toContainText(`患者: ${PATIENT}`);
  await expect(preview).toContainText('佐々木 和子');
  await expect(preview).toContainText(marker);
}

/** 送信する, waiting for the hub's answer to the document's POST (201: a new document, not a resend). */
async function send(page: Page): Promise<Response> {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir/Bundle'));
  await page.getByRole('button', { name: '送信する' }).click();
  const response = await answered;
  // a refusal shows the hub's OperationOutcome in the failure, not only its status
  expect(response.status(), `the hub stores a new document; it answered ${response.status()} ${response.status() === 201 ? '' : await response.text()}`).toBe(201);
  return response;
}

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
