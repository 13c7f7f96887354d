// Print (issue 19, flow 5): any document as its PDF form from its page. The MSW sends a hand-off, opens it from 山田 花子's
// timeline, and 印刷用PDFを開く downloads the hub's $pdf of exactly that document, fetched with her token.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { fillSteps, openNewHandoff, PATIENT, send } from './handoffSteps';
import { expectAccessible, signIn, USERS } from './support';

test("a sent hand-off, opened from the patient's timeline, downloads as the hub's PDF of that document", async ({ page }) => {
  await signIn(page, USERS.msw);
  await openNewHandoff(page);
  const marker = `E2E-print-${Date.now()}`;
  await fillSteps(page, marker);
  const bundle = (await (await send(page)).json()) as { id: string };
  expect(bundle.id, 'the stored document').toBeTruthy();

  // the document's page: the patient page's detail of the Bundle, named in the URL
  await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '患者一覧' }).click();
  // the patient page was open before sending (its timeline is cached, and refetched on opening): wait for the
  // timeline's answer that holds the new document, and for it to be shown, before taking its newest document
  const timelineAnswer = page.waitForResponse(
    async (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/fhir') && (await r.text()).includes(bundle.id),
  );
  await page.getByRole('list', { name: '患者' }).getByRole('link', { name: new RegExp(`^${PATIENT}`) }).click();
  await timelineAnswer;
  const timeline = page.getByRole('list', { name: 'タイムライン（新しい順）' });
  await expect(page.getByRole('status', { name: /^(更新中|読み込み中)$/ })).toHaveCount(0);
  await expectAccessible(page, "the patient page with the document in its timeline");
  await timeline.getByRole('button', { name: /^文書: 退院時情報提供書/ }).first().click();
  await expect(page).toHaveURL(new RegExp(`[?&]record=Bundle(/|%2F)${bundle.id}(&|$)`));
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(marker);
  const print = dialog.getByRole('button', { name: '印刷用PDFを開く' });
  await expect(print).toBeVisible();
  await expectAccessible(page, 'the document opened from the timeline, with its print action', '[role="dialog"]');

  const answered = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/$pdf'));
  const downloaded = page.waitForEvent('download');
  await print.click();
  const response = await answered;
  expect(new URL(response.url()).pathname, 'the $pdf of the document just sent').toMatch(new RegExp(`/fhir/Bundle/${bundle.id}/\\$pdf$`));
  expect(response.request().headers()['authorization'], "the user's token").toMatch(/^Bearer \S+/);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^application\/pdf/);

  // the bytes as saved (Chromium keeps no copy of a large response body for Playwright: the PDF embeds its font)
  const download = await downloaded;
  expect(download.suggestedFilename(), 'named by the hub after the document').toBe(`退院時情報提供書_${bundle.id}.pdf`);
  const saved = await readFile(await download.path());
  expect(saved.subarray(0, 5).toString('latin1'), 'a PDF file').toBe('%PDF-');
  const length = response.headers()['content-length'];
  if (length) expect(saved.length, 'the file saved is the whole PDF the hub answered').toBe(Number(length));
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expectAccessible(page, 'the document after printing', '[role="dialog"]');
});
