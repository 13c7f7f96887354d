// Offline home visits (issue 20 point 2, docs/web-app.md, offline home visits): the app installs as a PWA whose shell opens without a
// connection, and what a visiting nurse submits without one waits on the device, encrypted, as 未送信 and is stored on
// the hub exactly once when the connection returns; sign-out deletes it from the device.
import { expect, test } from '@playwright/test';
import { fhirAs, goOffline, goOnline, readDeviceOutbox, submitThroughOutbox, temperatureVisit } from './offline';
import { expectAccessible, signIn, USERS } from './support';

// keycloak/demo-fhir.json: the visiting nurse is on 山田 花子's care team (she may record her vital signs)
const PATIENT = { id: 'pat-yamada', name: '山田 花子', kana: 'ヤマダ' };

test('the app installs from its manifest, its service worker controls the page, and the shell reloads offline', async ({ page, context }) => {
  await signIn(page, USERS.visitingNurse);

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
  expect(cached.urls.every((u) => u.startsWith('/app/'))).toBe(true);
  expect(cached.urls.some((u) => u.startsWith('/fhir') || u.includes('Patient'))).toBe(false);

  // no connection: the page reloads from the service worker's cache, and a deep link opens too
  await goOffline(context, page);
  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker(), 'the document came from the service worker').toBe(true);
  await expect(page).toHaveTitle('Renkei 連携');
  await expect(page.getByRole('alert')).toContainText('オフラインです。サインインには接続が必要です。');
  expect(await page.evaluate(() => fetch('/fhir/metadata').then(() => 'answered', () => 'failed')), 'FHIR is not answered from a cache').toBe('failed');
  await expectAccessible(page, 'the app shell opened offline');
  await page.goto('patients/pat-yamada');
  await expect(page.getByRole('alert')).toContainText('オフラインです。');
  await goOnline(context, page);
});

test('visits submitted offline wait encrypted as 未送信, are stored once when online, and sign-out wipes the device', async ({ page, context, request }) => {
  await signIn(page, USERS.visitingNurse);
  expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
  const hub = await fhirAs(request, USERS.visitingNurse);
  const visits = [
    temperatureVisit(PATIENT.id, PATIENT.name, 'バイタル・訪問記録 E2E-1', 36.6),
    temperatureVisit(PATIENT.id, PATIENT.name, 'バイタル・訪問記録 E2E-2', 37.1),
  ];
  const refused = temperatureVisit(PATIENT.id, PATIENT.name, 'バイタル・訪問記録 E2E-要修正', 36.9, false);

  await goOffline(context, page);
  for (const visit of [...visits, refused]) {
    expect(await submitThroughOutbox(page, visit), visit.summary).toBe('kept');
  }
  const status = page.getByRole('banner').getByRole('link', { name: '未送信の記録 3件' });
  await expect(status).toHaveText('未送信 3');

  // the list (its page's code comes from the service worker's cache: still offline)
  await status.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('未送信の記録');
  const list = page.getByRole('list', { name: '未送信の記録の一覧' });
  for (const visit of [...visits, refused]) {
    await expect(list.getByRole('listitem', { name: `${visit.summary}（未送信）` })).toBeVisible();
  }
  await expectAccessible(page, 'the outbox offline');

  // on the device: three sealed entries, nothing readable about the patient or the visit, a key that cannot leave
  const device = await readDeviceOutbox(page);
  expect(device?.entries).toHaveLength(3);
  for (const entry of device!.entries) {
    expect(entry.fields).toEqual(['createdAt', 'id', 'sealed']);
    expect(entry.ivLength).toBe(12);
    const readable = entry.clear + entry.ciphertextAsText;
    for (const secret of [PATIENT.name, '山田', PATIENT.kana, PATIENT.id, 'バイタル', '体温', 'Observation', 'urn:uuid', ...visits.flatMap((v) => v.identifiers)]) {
      expect(readable, 'plaintext on the device').not.toContain(secret);
    }
  }
  expect(device!.key).toMatchObject({ type: '[object CryptoKey]', extractable: false, algorithm: { name: 'AES-GCM', length: 256 } });
  expect(await page.evaluate(() => Object.keys(window.localStorage)), 'localStorage').toEqual([]);
  expect(await page.evaluate(() => Object.keys(window.sessionStorage)), 'sessionStorage').toEqual([]);
  for (const visit of visits) {
    expect(await hub.countByIdentifier('Observation', visit.identifiers[0]), `${visit.summary} not on the hub while offline`).toBe(0);
  }

  // online: the outbox sends each, one at a time; the hub stores each once; the refused one waits as 要修正, in Japanese
  await goOnline(context, page);
  for (const visit of visits) {
    await expect(list.getByRole('listitem', { name: new RegExp(`^${visit.summary}（`) })).toHaveCount(0, { timeout: 30_000 });
  }
  const needsFix = list.getByRole('listitem', { name: `${refused.summary}（要修正）` });
  await expect(needsFix).toBeVisible();
  await expect(needsFix).toContainText('入力内容に誤りがあります。');
  await expect(page.getByRole('banner').getByRole('link', { name: '未送信の記録 1件（要修正 1件）' })).toHaveText('要修正 1');
  await expectAccessible(page, 'the outbox with an entry to correct');
  for (const visit of visits) {
    expect(await hub.countByIdentifier('Observation', visit.identifiers[0]), `${visit.summary} stored once`).toBe(1);
  }
  expect(await hub.countByIdentifier('Observation', refused.identifiers[0]), 'the refused visit stored nothing').toBe(0);

  // a resend of a visit the hub already stored (its answer lost on the way): still one record
  expect(await submitThroughOutbox(page, visits[0])).toBe('sent');
  expect(await hub.countByIdentifier('Observation', visits[0].identifiers[0]), 'once after a resend').toBe(1);

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
});
