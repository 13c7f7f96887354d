// Offline home visits (issue 20 point 2, docs/web-app.md §15): the app installs as a PWA whose shell opens without a
// connection, and the visits a visiting nurse enters in her form without one wait on the device, encrypted, as 未送信
// and are stored on the hub exactly once when the connection returns; a refusal is kept as 要修正 with the hub's
// reasons; sign-out deletes what is left from the device.
import { expect, test } from '@playwright/test';
import { enterVisit, fhirAs, goOffline, goOnline, readDeviceOutbox, recordTransactions } from './offline';
import { expectAccessible, expectNoHorizontalScroll, SCREENSHOTS, signIn, USERS } from './support';

// keycloak/demo-fhir.json: the visiting nurse is on 山田 花子's care team (she may record her vital signs)
const PATIENT = { id: 'pat-yamada', name: '山田 花子', kana: 'ヤマダ' };
const PHONE = { width: 375, height: 812 };
const KEPT = '端末に保存しました。電波が戻ると自動で送信します。';

test('the app installs from its manifest, its service worker controls the page, and the shell reloads offline', async ({ page, context }) => {
  await signIn(page, USERS.visitingNurse);
  // the home is /app/ (not /app, which the service worker's scope /app/ does not cover: it would not reload offline)
  await expect(page).toHaveURL(/\/app\/$/);

  // the manifest Chromium read from the page: no parse error, the app's name, scope and start
  const cdp = await context.newCDPSession(page);
  const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data?: string };
  expect(manifest.url).toMatch(/\/app\/manifest\.webmanifest$/);
  expect(manifest.errors, 'manifest parse errors').toEqual([]);
  const parsed = JSON.parse(manifest.data ?? '{}') as Record<string, unknown>;
  expect(parsed).toMatchObject({ short_name: 'Renkei 連携', lang: 'ja', start_url: '/app/', scope: '/app/', display: 'standalone' });
  const served = await page.request.get(manifest.url);
  expect(served.headers()['content-type']).toMatch(/^application\/manifest\+json/);

  // the service worker: registered for /app/, active, and in control of this page (clients.claim, no reload needed)
  const registration = await page.evaluate(async () => {
    const ready = await navigator.serviceWorker.ready;
    return { scope: ready.scope, script: ready.active?.scriptURL };
  });
  expect(registration.scope).toMatch(/\/app\/$/);
  expect(registration.script).toMatch(/\/app\/sw\.js$/);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const installability = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
  // a Playwright context is off the record, which Chromium reports; nothing else may stand in the way of installing
  expect(installability.installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);

  // the shell's cache holds the app's own files only: nothing from /fhir, nothing about a patient
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return { names: await caches.keys(), urls };
  });
  expect(cached.names).toHaveLength(1);
  expect(cached.names[0]).toMatch(/^renkei-shell-/);
  expect(cached.urls).toContain('/app/');
  // index.html, the build's files (assets/, named by content hash; a page's chunk may be named PatientPage-….js), the
  // manifest and the icons: no query string, nothing from /fhir
  const shellFile = /^\/app\/(|assets\/[\w.-]+|manifest\.webmanifest|icons\/[\w.-]+\.png)$/;
  expect(cached.urls.filter((u) => !shellFile.test(u)), 'cached beyond the shell').toEqual([]);

  // no connection: the page reloads from the service worker's cache, and a deep link opens too
  await goOffline(context, page);
  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker(), 'the document came from the service worker').toBe(true);
  await expect(page).toHaveTitle('Renkei 連携');
  // sign-in needs the connection (Chromium's emulated offline may still say navigator.onLine in a document the worker
  // served, so the app names both: offline, or the hub stopped)
  await expect(page.getByRole('alert')).toContainText('サインインには接続が必要です。');
  await expect(page.getByRole('alert')).toContainText('未送信の記録はこの端末に暗号化して保存されています。');
  expect(await page.evaluate(() => fetch('/fhir/metadata').then(() => 'answered', () => 'failed')), 'FHIR is not answered from a cache').toBe('failed');
  await expectAccessible(page, 'the app shell opened offline');
  await page.goto('patients/pat-yamada');
  await expect(page.getByRole('alert')).toContainText('サインインには接続が必要です。');
  await goOnline(context, page);
});

test('three visits entered offline at 375 px wait encrypted as 未送信, are each stored once when online; sign-out wipes the device', async ({ browser, request }) => {
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true });
  try {
    const page = await context.newPage();
    const hub = await fhirAs(request, USERS.visitingNurse);
    const run = Date.now();
    const transactions = recordTransactions(page);

    // online: the nurse opens 山田 花子 and her visit form (the form's code and the patient are loaded now)
    await signIn(page, USERS.visitingNurse, `patients/${PATIENT.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName(new RegExp(`^${PATIENT.name}`));
    await page.getByRole('link', { name: '訪問記録を入力' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`訪問記録の入力（${PATIENT.name}）`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    // no signal: three visits, each kept on the device and said so in Japanese
    await goOffline(context, page);
    const visits = [
      { celsius: '36.4', note: `E2E-offline-${run}-1 訪問時、落ち着いて過ごしている。` },
      { celsius: '36.9', note: `E2E-offline-${run}-2 午後、微熱気味。` },
      { celsius: '37.3', note: `E2E-offline-${run}-3 水分摂取を促した。` },
    ];
    for (const [i, visit] of visits.entries()) {
      await enterVisit(page, visit.celsius, visit.note);
      const kept = page.getByRole('status').filter({ hasText: '未送信（この端末に保存しました）' });
      await expect(kept).toBeVisible();
      await expect(kept).toContainText(KEPT);
      await expect(page.getByRole('banner').getByRole('link', { name: `未送信の記録 ${i + 1}件` })).toHaveText(`未送信 ${i + 1}`);
      if (i === 0) {
        await expectAccessible(page, 'the visit form: kept on the device');
        await expectNoHorizontalScroll(page, 'the visit form: kept on the device');
      }
      await page.getByRole('button', { name: '続けて入力' }).click();
    }
    expect(transactions, 'nothing reached the hub while offline').toEqual([]);

    // 未送信 3 in the header; its list (the page's code from the service worker's cache)
    const status = page.getByRole('banner').getByRole('link', { name: '未送信の記録 3件' });
    await expect(status).toHaveText('未送信 3');
    await status.click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('未送信の記録');
    const list = page.getByRole('list', { name: '未送信の記録の一覧' });
    await expect(list.getByRole('listitem', { name: /^バイタル・訪問記録 .*（未送信）$/ })).toHaveCount(3);
    await expectAccessible(page, 'the outbox offline');
    await expectNoHorizontalScroll(page, 'the outbox offline');
    await page.screenshot({ path: `${SCREENSHOTS}offline-outbox.png`, fullPage: true, animations: 'disabled' });

    // on the device: three sealed entries, nothing readable about the patient or the visit, a key that cannot leave
    const device = await readDeviceOutbox(page);
    expect(device?.entries).toHaveLength(3);
    for (const entry of device!.entries) {
      expect(entry.fields).toEqual(['createdAt', 'id', 'sealed']);
      expect(entry.ivLength).toBe(12);
      const readable = entry.clear + entry.ciphertextAsText;
      for (const secret of [PATIENT.name, '山田', PATIENT.kana, PATIENT.id, 'バイタル', '体温', 'Observation', 'urn:uuid', '8310-5', `E2E-offline-${run}`, '微熱']) {
        expect(readable, 'plaintext on the device').not.toContain(secret);
      }
    }
    expect(device!.key).toMatchObject({ type: '[object CryptoKey]', extractable: false, algorithm: { name: 'AES-GCM', length: 256 } });
    expect(await page.evaluate(() => Object.keys(window.localStorage)), 'localStorage').toEqual([]);
    expect(await page.evaluate(() => Object.keys(window.sessionStorage)), 'sessionStorage').toEqual([]);

    // signal again: the outbox sends each, one at a time, and empties
    await goOnline(context, page);
    await expect(list.getByRole('listitem')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByText('未送信の記録はありません。')).toBeVisible();
    await expect(page.getByRole('banner').getByTestId('outbox-status')).toHaveCount(0);
    await expectAccessible(page, 'the outbox emptied');

    // three transactions, one per visit, in the order entered, each answered 200; on the hub each record exactly once
    await expect.poll(() => transactions.map((t) => t.status)).toEqual([200, 200, 200]);
    expect(transactions.map((t) => t.note)).toEqual(visits.map((v) => v.note));
    for (const transaction of transactions) {
      expect(transaction.identifiers, 'a temperature and a note').toHaveLength(2);
      for (const identifier of transaction.identifiers) {
        expect(identifier).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
        expect(await hub.countByIdentifier('Observation', identifier), `${transaction.note}: ${identifier} stored once`).toBe(1);
      }
    }
    expect(new Set(transactions.flatMap((t) => t.identifiers)).size).toBe(6);

    // a fourth visit the hub refuses when it arrives (its records reach the hub without the status the profile requires:
    // the hub's real 422): kept as 要修正 with the hub's reasons in Japanese, not sent again
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`訪問記録の入力（${PATIENT.name}）`);
    await goOffline(context, page);
    await enterVisit(page, '36.6', `E2E-offline-${run}-要修正`);
    await expect(page.getByRole('status').filter({ hasText: '未送信（この端末に保存しました）' })).toBeVisible();
    await page.route('**/fhir', async (route) => {
      const bundle = route.request().postDataJSON() as { type?: string; entry?: Array<{ resource?: Record<string, unknown> }> } | null;
      if (route.request().method() !== 'POST' || bundle?.type !== 'transaction') return route.continue();
      for (const entry of bundle.entry ?? []) delete entry.resource?.status;
      return route.continue({ postData: JSON.stringify(bundle) });
    });
    await goOnline(context, page);
    const needsFix = page.getByRole('banner').getByRole('link', { name: '未送信の記録 1件（要修正 1件）' });
    await expect(needsFix).toHaveText('要修正 1', { timeout: 30_000 });
    await page.unroute('**/fhir');
    expect(transactions.at(-1)?.status).toBe(422);
    await needsFix.click();
    const toFix = page.getByRole('list', { name: '未送信の記録の一覧' }).getByRole('listitem', { name: /（要修正）$/ });
    await expect(toFix).toContainText('入力内容に誤りがあります。');
    await expectAccessible(page, 'the outbox with a visit to correct');
    for (const identifier of transactions.at(-1)!.identifiers) {
      expect(await hub.countByIdentifier('Observation', identifier), 'the refused visit stored nothing').toBe(0);
    }
    expect(transactions).toHaveLength(4);

    // sign-out with an entry left: asked first, then the device's outbox is gone (entries, key, owner)
    await page.getByRole('banner').getByRole('button', { name: 'サインアウト' }).click();
    const confirm = page.getByRole('dialog', { name: '未送信の記録があります' });
    await expect(confirm).toContainText('1件');
    await expectAccessible(page, 'the sign-out confirmation', '[role="dialog"]');
    await confirm.getByRole('button', { name: '削除してサインアウト' }).click();
    await expect(page.getByRole('heading', { name: 'サインアウトしました' })).toBeVisible();
    const wiped = await readDeviceOutbox(page);
    expect(wiped?.entries ?? []).toEqual([]);
    expect(wiped?.key ?? null).toBeNull();
    expect(wiped?.owner ?? null).toBeNull();
    await expectAccessible(page, 'signed out, the device wiped');
  } finally {
    await context.close();
  }
});
