import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, USERS, expectAccessible, expectNoHorizontalScroll, signIn } from './support';

// Issue 20 point 3, the home doctor (physician.home, 伊藤 健一): he records an advance directive for 山田 花子 (on his
// team) with the scanned signed form attached and his witness signature made in the browser with his own certificate
// (a PKCS#12 file the test PKI issued: BrowserFlowsIT passes its path and password; by hand, issue one with
// `deploy/pki.sh practitioner --id prac-physician-home --name "伊藤 健一" --organization "いわて在宅ケアセンター"
// --profession physician` and set RENKEI_E2E_PHYSICIAN_P12 and RENKEI_E2E_PHYSICIAN_P12_PASSWORD), revises it, and
// revises her emergency sheet as its next version. Each is checked in the hub's answers and on the patient page.

const PATIENT = 'pat-yamada';
const P12 = process.env.RENKEI_E2E_PHYSICIAN_P12 ?? '';
const P12_PASSWORD = process.env.RENKEI_E2E_PHYSICIAN_P12_PASSWORD ?? '';
const EXAMPLE_SHEET = fileURLToPath(new URL('../../fhir-profiles/src/main/fhir/Bundle-emergency-sheet-example.json', import.meta.url));

/** A scanned form (a tiny PDF) as the file input receives it, and its SHA-1 as R4 Attachment.hash wants it. */
function scannedForm(text: string) {
  const buffer = Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`, 'utf8');
  return { file: { name: '事前指示書_山田花子.pdf', mimeType: 'application/pdf', buffer }, sha1: createHash('sha1').update(buffer).digest('base64') };
}

/** The bearer token the app sends (the spec writes the starting emergency sheet as the doctor himself, through /fhir). */
async function tokenOf(page: Page, open: () => Promise<unknown>): Promise<string> {
  const request = page.waitForRequest((r) => new URL(r.url()).pathname.includes('/fhir/') && Boolean(r.headers().authorization));
  await open();
  return (await request).headers().authorization;
}

async function saveDirective(page: Page, form: ReturnType<typeof scannedForm>) {
  await page.getByLabel('本人（または代理人）が署名した事前指示書のスキャン').setInputFiles(form.file);
  await expect(page.getByText(`SHA-1 ${form.sha1}`)).toBeVisible();
  await page.getByLabel('証明書ファイル（.p12）').setInputFiles(P12);
  await page.getByLabel('証明書のパスワード').fill(P12_PASSWORD);
  await page.getByRole('button', { name: '証明書を確認' }).click();
  await expect(page.getByText(`署名者：${USERS.physician.name}`)).toBeVisible();
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/fhir\/?$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: '署名して保存' }).click();
  const response = await posted;
  expect(response.status(), await response.text()).toBe(200);
  const answer = (await response.json()) as { entry: Array<{ response: { status: string; location: string } }> };
  const consent = answer.entry.map((e) => e.response.location).find((l) => l.startsWith('Consent/'))!;
  expect(consent, 'the transaction created the Consent').toBeTruthy();
  expect(answer.entry.map((e) => e.response.status.slice(0, 3))).toEqual(['201', '201']);
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: '事前指示書を保存しました' }).first()).toBeVisible();
  return consent.split('/')[1];
}

test('the home doctor records and revises an advance directive signed in the browser, and revises the emergency sheet', async ({ page }) => {
  expect(P12, 'RENKEI_E2E_PHYSICIAN_P12: the home doctor’s PKCS#12 file (BrowserFlowsIT issues one)').not.toBe('');
  await signIn(page, USERS.physician);
  // his home says how many contact forms wait for his answer and opens the most urgent (point 1)
  await expect(page.getByRole('status').filter({ hasText: /未回答の連絡票/ })).toBeVisible();
  await expectAccessible(page, 'the physician home with the unanswered contact forms');
  const hub = new URL('/fhir', page.url()).toString();
  const authorization = await tokenOf(page, () => page.goto(`patients/${PATIENT}`));
  const fhir = async (path: string) => {
    const r = await page.request.get(`${hub}/${path}`, { headers: { authorization, accept: 'application/fhir+json' } });
    expect(r.status(), `GET ${path}`).toBe(200);
    return r.json();
  };

  // --- the starting emergency sheet: the profile's example for her, written by the doctor's organisation ---
  const patient = await fhir(`Patient/${PATIENT}`);
  const nurseRole = await fhir('PractitionerRole/role-visiting-nurse');
  const sheet = JSON.parse(readFileSync(EXAMPLE_SHEET, 'utf8').replaceAll('pat-sasaki', PATIENT).replaceAll('佐々木 トシ', '山田 花子'));
  const runId = `es-e2e-${Date.now()}`;
  delete sheet.id;
  sheet.identifier = { system: 'http://renkei.example.jp/fhir/document-id', value: runId };
  sheet.timestamp = new Date().toISOString();
  const composition = sheet.entry[0].resource;
  composition.date = sheet.timestamp;
  composition.author = [{ reference: 'PractitionerRole/role-visiting-nurse', display: '吉田 直美' }];
  const { meta: _meta, ...patientCopy } = patient;
  sheet.entry = sheet.entry.map((e: { fullUrl: string }) => (e.fullUrl.endsWith(`/Patient/${PATIENT}`) ? { fullUrl: e.fullUrl, resource: patientCopy } : e));
  sheet.entry.push({ fullUrl: 'http://renkei.example.jp/fhir/PractitionerRole/role-visiting-nurse', resource: { ...nurseRole, meta: undefined } });
  const seeded = await page.request.post(`${hub}/Bundle`, { headers: { authorization, 'content-type': 'application/fhir+json' }, data: sheet });
  expect(seeded.status(), await seeded.text()).toBe(201);
  const sheetId = ((await seeded.json()) as { id: string }).id;

  // --- 1. record a directive ---
  await page.goto(`patients/${PATIENT}`);
  await page.getByRole('link', { name: /^事前指示書を(記録|改訂)$/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^事前指示書の(記録|改訂)：山田 花子$/ })).toBeVisible();
  await page.getByRole('textbox', { name: /^意思を表明した日/ }).fill('2026-11-30');
  await page.getByRole('textbox', { name: /^意思を表明した日/ }).press('Tab');
  await expect(page.getByRole('textbox', { name: /^意思を表明した日/ })).toHaveValue(/2026年11月30日/);
  await page.getByRole('combobox', { name: /^心肺蘇生/ }).selectOption('deny');
  await page.getByRole('combobox', { name: /^救急搬送/ }).selectOption('permit');
  await page.getByRole('combobox', { name: /^気管挿管・人工呼吸器/ }).selectOption('deny');
  await page.getByRole('combobox', { name: /^胃ろう・経管栄養/ }).selectOption('deny');
  await page.getByRole('combobox', { name: /^最期を過ごしたい場所/ }).selectOption('home');
  await page.getByRole('textbox', { name: /^療養場所についての本人の言葉/ }).fill('住み慣れた自宅で、家族と過ごしたい');
  await page.getByRole('checkbox', { name: /山田 美穂/ }).check();
  // the form refuses to sign without the signed form and the certificate, saying what is missing
  await page.getByRole('button', { name: '署名して保存' }).click();
  await expect(page.getByText('本人（または代理人）が署名した事前指示書のスキャン（PDF または画像）を添付してください（必須）').first()).toBeVisible();
  await expectAccessible(page, 'the advance directive form, missing the signed form and the certificate');
  const first = scannedForm('signed 2026-11-30');
  await page.getByLabel('本人（または代理人）が署名した事前指示書のスキャン').setInputFiles(first.file);
  await page.getByLabel('証明書ファイル（.p12）').setInputFiles(P12);
  await page.getByLabel('証明書のパスワード').fill('not-the-password');
  await page.getByRole('button', { name: '証明書を確認' }).click();
  await expect(page.getByText('証明書のパスワードが違います', { exact: false }).first()).toBeVisible();
  await expectAccessible(page, 'the advance directive form, a wrong certificate password');
  await page.getByLabel('証明書のパスワード').fill(P12_PASSWORD);
  await page.getByRole('button', { name: '証明書を確認' }).click();
  await expect(page.getByText(`署名者：${USERS.physician.name}`)).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${SCREENSHOTS}advance-directive.png`, animations: 'disabled' });
  const firstId = await saveDirective(page, first);
  await expectAccessible(page, 'the directive saved');

  const stored = await fhir(`Consent/${firstId}`);
  expect(stored.status).toBe('active');
  expect(stored.sourceAttachment.hash).toBe(first.sha1);
  // (a directive another spec recorded earlier pre-fills the form: only what this one chose is checked)
  expect(stored.provision.provision.map((p: { type: string; code: Array<{ coding: Array<{ code: string }> }> }) => `${p.code[0].coding[0].code}:${p.type}`)).toEqual(
    expect.arrayContaining(['cpr:deny', 'hospital-transport:permit', 'mechanical-ventilation:deny', 'tube-feeding:deny']),
  );
  const verified = await fhir(`Consent/${firstId}/$verify`);
  const param = (name: string) => verified.parameter.find((p: { name: string }) => p.name === name);
  expect(param('verified').valueBoolean, JSON.stringify(verified)).toBe(true);
  expect(param('signatureKind').valueString ?? param('signatureKind').valueCode).toBe('witness-signature');

  // shown on the patient page: the marker opens it, with the witness
  await page.getByRole('link', { name: '患者ページで確認する' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('心肺蘇生: 希望しない')).toBeVisible();
  await expect(dialog.getByText(/伊藤 健一（/)).toBeVisible();
  await expectAccessible(page, 'the directive on the patient page', '[role="dialog"]');
  await dialog.getByRole('button', { name: '閉じる' }).click();

  // --- 2. revise it: a new directive, the earlier one inactive ---
  await page.getByRole('link', { name: '事前指示書を改訂' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '事前指示書の改訂：山田 花子' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: /^心肺蘇生/ })).toHaveValue('deny');
  await page.getByRole('textbox', { name: /^意思を表明した日/ }).fill('2026-12-05');
  await page.getByRole('textbox', { name: /^意思を表明した日/ }).press('Tab');
  await page.getByRole('combobox', { name: /^救急搬送/ }).selectOption('deny');
  await expectAccessible(page, 'the advance directive form, revising');
  const secondId = await saveDirective(page, scannedForm('revised 2026-12-05'));
  expect(secondId).not.toBe(firstId);
  expect((await fhir(`Consent/${firstId}`)).status, 'the revised directive is superseded').toBe('inactive');
  const revised = await fhir(`Consent/${secondId}`);
  expect(revised.status).toBe('active');
  expect(revised.provision.provision.find((p: { code: Array<{ coding: Array<{ code: string }> }> }) => p.code[0].coding[0].code === 'hospital-transport').type).toBe('deny');
  await page.getByRole('link', { name: '患者ページで確認する' }).click();
  await expect(page.getByRole('dialog').getByText('救急搬送: 希望しない')).toBeVisible();
  await page.getByRole('dialog').getByRole('button', { name: '閉じる' }).click();

  // --- 3. revise the emergency sheet: the same document's next version ---
  await page.getByRole('link', { name: '緊急時連絡票を改訂' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '緊急時連絡票の改訂：山田 花子' })).toBeVisible();
  const wishes = page.getByRole('textbox', { name: /^本人の意思（蘇生・搬送）/ });
  await expect(wishes).toHaveValue(/心肺蘇生/);
  const newWishes = '心肺停止時の心肺蘇生は希望しない（DNAR）。救急搬送は希望しない。自宅で看取る。\n2026年12月5日 本人・長女・主治医で確認（事前指示書を改訂）。';
  await wishes.fill(newWishes);
  await expectAccessible(page, 'the emergency sheet form');
  await page.screenshot({ path: `${SCREENSHOTS}emergency-sheet.png`, animations: 'disabled' });
  const put = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname.endsWith(`/fhir/Bundle/${sheetId}`));
  await page.getByRole('button', { name: '新しい版として保存' }).click();
  const putResponse = await put;
  expect(putResponse.status(), await putResponse.text()).toBe(200);
  expect(putResponse.request().headers()['if-match']).toBe('W/"1"');
  await expect(page.getByText('第2版として保存しました', { exact: false })).toBeVisible();
  await expectAccessible(page, 'the emergency sheet saved');
  const sheetNow = await fhir(`Bundle/${sheetId}`);
  expect(sheetNow.meta.versionId).toBe('2');
  const wishesSection = sheetNow.entry[0].resource.section.find((s: { code: { coding: Array<{ code: string }> } }) => s.code.coding[0].code === 'wishes');
  expect(wishesSection.text.div).toContain('救急搬送は希望しない');
  expect(sheetNow.entry[0].resource.author.map((a: { reference: string }) => a.reference)).toContain('PractitionerRole/role-physician-home');
  await page.getByRole('link', { name: '患者ページで確認する' }).click();
  await expect(page.getByRole('dialog').getByText('救急搬送は希望しない', { exact: false })).toBeVisible();
  await page.getByRole('dialog').getByRole('button', { name: '閉じる' }).click();

  // a change made meanwhile (another tab saved version 2 before this one): 412, explained, the text kept
  await page.getByRole('link', { name: '緊急時連絡票を改訂' }).click();
  await expect(page.getByText('現在の版：第2版', { exact: false })).toBeVisible();
  const meanwhile = await fhir(`Bundle/${sheetId}`);
  meanwhile.timestamp = new Date().toISOString();
  const other = await page.request.put(`${hub}/Bundle/${sheetId}`, {
    headers: { authorization, 'content-type': 'application/fhir+json', 'if-match': 'W/"2"' },
    data: meanwhile,
  });
  expect(other.status(), await other.text()).toBe(200);
  await page.getByRole('textbox', { name: /^アレルギー・禁忌/ }).fill('ペニシリン系抗菌薬：全身の発疹（2015年）');
  const stale = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname.endsWith(`/fhir/Bundle/${sheetId}`));
  await page.getByRole('button', { name: '新しい版として保存' }).click();
  expect([409, 412]).toContain((await stale).status());
  await expect(page.getByText('ほかの人がこの連絡票を先に更新しました')).toBeVisible();
  await expect(page.getByRole('textbox', { name: /^アレルギー・禁忌/ })).toHaveValue('ペニシリン系抗菌薬：全身の発疹（2015年）');
  await expectAccessible(page, 'the emergency sheet form after a concurrent change (412)');
  await page.getByRole('button', { name: '最新の版を読み込む' }).click();
  await expect(page.getByText('現在の版：第3版', { exact: false })).toBeVisible();
  const retried = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname.endsWith(`/fhir/Bundle/${sheetId}`));
  await page.getByRole('button', { name: '新しい版として保存' }).click();
  expect((await retried).status()).toBe(200);
  await expect(page.getByText('第4版として保存しました', { exact: false })).toBeVisible();

  // --- at 375 px, on a phone at the bedside: the directive form fits and works by keyboard ---
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(`patients/${PATIENT}/advance-directive`);
  await expect(page.getByRole('heading', { level: 1, name: '事前指示書の改訂：山田 花子' })).toBeVisible();
  await expectNoHorizontalScroll(page, 'the advance directive form');
  await expectAccessible(page, 'the advance directive form at 375 px');
  await page.getByRole('combobox', { name: /^心肺蘇生/ }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('combobox', { name: /^救急搬送/ })).toBeFocused();
  await page.goto(`patients/${PATIENT}/emergency-sheet`);
  await expect(page.getByRole('heading', { level: 1, name: '緊急時連絡票の改訂：山田 花子' })).toBeVisible();
  await expectNoHorizontalScroll(page, 'the emergency sheet form');
  await expectAccessible(page, 'the emergency sheet form at 375 px');
});
