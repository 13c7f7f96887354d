// Care manager and home doctor (issue 19, flow 3): the care manager writes a 主治医・ケアマネジャー連絡票 to 山田 花子's
// home doctor from her patient page and sends it; the physician, in another browser, opens it from the inbox and
// answers; the care manager's page, open all along, shows the answer through the notification socket, without reload.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { japanDay, japaneseDate, PATIENT } from './handoffSteps';
import { expectAccessible, signIn, USERS } from './support';

const HOME_DOCTOR = /^伊藤 健一/;
const REPLY_IN_DAYS = 7;
/** The answer is on the care manager's page within this many ms of the hub answering the physician's POST. */
const LIVE_WITHIN_MS = 5000;

test('the care manager sends a contact form to the home doctor, who answers it; the answer appears live on her open page', async ({ browser }) => {
  const careManager = await browser.newContext();
  const physician = await browser.newContext();
  try {
    const page = await careManager.newPage();
    await signIn(page, USERS.careManager, 'patients');
    await page.getByRole('list', { name: '患者' }).getByRole('link', { name: new RegExp(`^${PATIENT}`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName(new RegExp(`^${PATIENT}`));
    await page.getByRole('link', { name: '主治医へ連絡票を作成' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('主治医・ケアマネジャー連絡票の作成');

    // the home doctor (Patient.generalPractitioner, on the care team) is chosen already
    const recipients = page.getByRole('group', { name: '宛先（主治医・医療機関）' });
    await expect(recipients.getByRole('checkbox', { name: HOME_DOCTOR })).toBeChecked();
    const subject = `E2E-連絡票-${Date.now()}`;
    await page.getByRole('textbox', { name: '件名（任意）' }).fill(subject);
    await page.getByRole('textbox', { name: '相談内容' }).fill('退院後の入浴はいつから可能でしょうか。');
    await page.getByRole('textbox', { name: 'ケアプラン上の課題（任意）' }).fill('入浴介助の開始時期。');
    const replyBy = page.getByRole('textbox', { name: '返信希望日（任意）' });
    await replyBy.fill(japanDay(REPLY_IN_DAYS));
    await replyBy.press('Tab');
    await expect(replyBy).toHaveValue(new RegExp(`^${japaneseDate(japanDay(REPLY_IN_DAYS))}\\(.\\)$`));
    await expectAccessible(page, 'the contact form, filled');

    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir/Communication'));
    await page.getByRole('button', { name: '連絡票を送信する' }).click();
    const response = await posted;
    expect(response.status(), `the hub stores the question; it answered ${response.status()}`).toBe(201);
    const question = (await response.json()) as { id: string };
    await expect(page.getByRole('status').filter({ hasText: '連絡票を送信しました' })).toBeVisible();
    await expectAccessible(page, 'the contact form after sending');

    await page.getByRole('link', { name: '送信した連絡票を開く' }).click();
    await expect(page).toHaveURL(new RegExp(`/contact-forms/${question.id}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`主治医・ケアマネジャー連絡票：${subject}`);
    await expect(page.getByRole('row', { name: HOME_DOCTOR }).getByRole('cell').nth(1)).toHaveText('未読');
    await expect(page.getByText('まだ回答はありません。')).toBeVisible();
    await expectAccessible(page, "the care manager's contact form, awaiting the answer");
    // the page records when an answer is added (the browser's clock, the same machine's as the physician's response)
    await page.evaluate(() => {
      const w = window as unknown as { notReloaded: boolean; answeredAt?: number };
      w.notReloaded = true;
      new MutationObserver((_, observer) => {
        if (document.querySelector('article[aria-label^="回答 "]')) {
          w.answeredAt = Date.now();
          observer.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });

    // the physician: 受信箱 → the question (未読) → 回答する
    const doctor = await physician.newPage();
    await signIn(doctor, USERS.physician, 'inbox');
    await expect(doctor.getByRole('heading', { level: 1 })).toHaveText('受信箱');
    const row = doctor.getByRole('list', { name: '受信した引継ぎと回答' }).getByRole('listitem', { name: new RegExp(`^主治医・ケアマネジャー連絡票 ${PATIENT} 未読`) });
    await expect(row.first()).toBeVisible();
    await expectAccessible(doctor, "the physician's inbox");
    await row.first().getByRole('link', { name: `${PATIENT} さん` }).click();
    await expect(doctor.getByRole('heading', { level: 1 })).toHaveText(`主治医・ケアマネジャー連絡票：${subject}`);
    await expect(doctor).toHaveURL(new RegExp(`/contact-forms/${question.id}$`));
    await expect(doctor.getByRole('article', { name: '相談' })).toContainText('退院後の入浴はいつから可能でしょうか。');
    await expect(doctor.getByRole('article', { name: '相談' })).toContainText(japaneseDate(japanDay(REPLY_IN_DAYS)));
    await expectAccessible(doctor, 'the contact form as the physician opens it');
    await doctor.getByRole('button', { name: '回答する' }).click();
    await doctor.getByRole('textbox', { name: '主治医の指示・意見' }).fill('抜糸後（来週以降）はシャワー浴可。湯船は2週間後から。');
    await doctor.getByRole('textbox', { name: '留意事項（任意）' }).fill('創部の発赤に注意。');
    await expectAccessible(doctor, 'the answer form');
    const answered = doctor.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir/Communication'));
    await doctor.getByRole('button', { name: '回答を送信する' }).click();
    const answer = await answered;
    expect(answer.status(), `the hub stores the answer; it answered ${answer.status()}`).toBe(201);
    await answer.finished();
    const timing = answer.request().timing();
    const answeredAt = timing.startTime + (timing.responseEnd >= 0 ? timing.responseEnd : timing.responseStart);
    await expect(doctor.getByRole('status').filter({ hasText: '回答を送信しました' })).toBeVisible();
    await expectAccessible(doctor, 'the contact form after answering');

    // the care manager's page, never reloaded: the answer and 回答済み arrive through the socket
    const shown = page.getByRole('article', { name: /^回答 伊藤 健一/ });
    await expect(shown).toContainText('抜糸後（来週以降）はシャワー浴可。', { timeout: LIVE_WITHIN_MS });
    await expect(shown).toContainText('創部の発赤に注意。');
    const arrivedAt = await page.evaluate(() => (window as unknown as { answeredAt?: number }).answeredAt);
    expect(arrivedAt, 'the time the answer was added').toBeDefined();
    const delivery = arrivedAt! - answeredAt;
    test.info().annotations.push({ type: 'delivery-ms', description: String(delivery) });
    console.log(`answer shown on the care manager's open page ${delivery} ms after the hub answered the physician`);
    expect(delivery, 'ms from the hub storing the answer to the answer on the open page').toBeLessThanOrEqual(LIVE_WITHIN_MS);
    await expect(page.getByRole('row', { name: HOME_DOCTOR }).getByRole('cell').nth(1)).toHaveText('回答済み');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'the page was not reloaded').toBe(true);
    await expectAccessible(page, "the care manager's contact form with the answer");

    // its PDF form (flow 5) from the same page: the hub's $pdf of this question, with its answer
    const pdf = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/$pdf'));
    const downloaded = page.waitForEvent('download');
    await page.getByRole('article', { name: '相談' }).getByRole('button', { name: '印刷用PDFを開く' }).click();
    const printed = await pdf;
    expect(new URL(printed.url()).pathname).toMatch(new RegExp(`/fhir/Communication/${question.id}/\\$pdf$`));
    expect(printed.headers()['content-type']).toMatch(/^application\/pdf/);
    // the bytes as saved (Chromium keeps no copy of a large response body for Playwright: the PDF embeds its font)
    const file = await downloaded;
    expect(file.suggestedFilename()).toContain(question.id);
    expect((await readFile(await file.path())).subarray(0, 5).toString('latin1'), 'a PDF file').toBe('%PDF-');
  } finally {
    await physician.close();
    await careManager.close();
  }
});
