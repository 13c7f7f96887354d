// The MSW's side of a hand-off (issue 19, flow 2), shared by the specs that need one sent: from the patient list to a
// new draft of 山田 花子's 退院時情報提供書, each step filled by its labels (docs/web-app.md §8), and the send.
import { expect, type Page, type Response } from '@playwright/test';

// keycloak/demo-fhir.json: 山田 花子's care team holds both the MSW (みちのく中央病院) and the care manager
export const PATIENT = '山田 花子';
export const CARE_MANAGER = /^佐々木 和子（.*）・いわて在宅ケアセンター$/;
export const DISCHARGE_IN_DAYS = 3;

/** A day {@code days} from today in Japan, as the date input takes it (YYYY-MM-DD). */
export function japanDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
}

/** 2026年11月25日: the day as the deadline labels write it (without the weekday, which ICU versions spell alike). */
export function japaneseDate(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** From the patient list to a new draft of 山田 花子's hand-off (a fresh page: a new draft with its own identifier). */
export async function openNewHandoff(page: Page): Promise<void> {
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
export async function fillSteps(page: Page, marker: string, onStay?: () => Promise<void>, dischargeInDays = DISCHARGE_IN_DAYS): Promise<void> {
  const next = page.getByRole('button', { name: '次へ', exact: true });

  // 2. 入院と診断
  // typed as ISO dates, shown once left as the forms write them (2026年11月25日(水)), whatever the browser's language
  const admission = page.getByRole('textbox', { name: '入院日', exact: true });
  await admission.fill(japanDay(-14));
  await admission.press('Tab');
  await expect(admission).toHaveValue(new RegExp(`^${japaneseDate(japanDay(-14))}\\(.\\)$`));
  const discharge = page.getByRole('textbox', { name: '退院日（予定日）', exact: true });
  await discharge.fill(japanDay(dischargeInDays));
  await discharge.press('Tab');
  await expect(discharge).toHaveValue(new RegExp(`^${japaneseDate(japanDay(dischargeInDays))}\\(.\\)$`));
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
export async function send(page: Page): Promise<Response> {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir/Bundle'));
  await page.getByRole('button', { name: '送信する' }).click();
  const response = await answered;
  // a refusal shows the hub's OperationOutcome in the failure, not only its status
  expect(response.status(), `the hub stores a new document; it answered ${response.status()} ${response.status() === 201 ? '' : await response.text()}`).toBe(201);
  return response;
}
