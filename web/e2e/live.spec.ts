// A lost connection, shown and recovered (issue 19, flow 4 and its quality bar): the care manager's open inbox loses
// its notification socket; the header says so (再接続中, then 切断 while it stays down); a hand-off the MSW sends in
// the meantime is not pushed to her; when the connection is back the header says 接続中 and the inbox catches up
// through $events: the hand-off appears once, without reload.
import { expect, test, type WebSocketRoute } from '@playwright/test';
import { fillSteps, openNewHandoff, PATIENT, send } from './handoffSteps';
import { expectAccessible, signIn, USERS } from './support';

test('the inbox shows a lost connection, and after it recovers catches up on what was sent meanwhile, once, without reload', async ({ browser }) => {
  const careManager = await browser.newContext();
  const msw = await browser.newContext();
  try {
    const inbox = await careManager.newPage();
    // the notification socket goes through the test, which can cut it and keep new ones from reaching the hub
    let down = false;
    const sockets: WebSocketRoute[] = [];
    await inbox.routeWebSocket(/.*/, (ws) => {
      if (down) {
        ws.close({ code: 1001, reason: 'network down (test)' });
        return;
      }
      ws.connectToServer();
      sockets.push(ws);
    });
    await signIn(inbox, USERS.careManager, 'inbox');
    await expect(inbox.getByRole('heading', { level: 1 })).toHaveText('受信箱');
    const indicator = inbox.getByRole('status', { name: /^リアルタイム通知: / });
    await expect(indicator).toHaveAttribute('data-live-status', 'connected');
    const rows = inbox.getByRole('list', { name: '受信した引継ぎと回答' }).getByRole('listitem');
    await expect(inbox.getByText(/^\d+件/)).toBeVisible();
    const before = await rows.count();
    await inbox.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    // the connection drops and stays down
    down = true;
    for (const ws of sockets.splice(0)) await ws.close({ code: 1001, reason: 'network down (test)' });
    await expect(indicator).toHaveAttribute('data-live-status', /^(reconnecting|disconnected)$/);
    await expect(indicator).toHaveAccessibleName(/^リアルタイム通知: (再接続中|切断)$/);
    await expectAccessible(inbox, 'the inbox with its connection lost');

    // meanwhile the MSW sends a hand-off: nothing reaches the inbox while it is cut off
    const sender = await msw.newPage();
    await signIn(sender, USERS.msw);
    await openNewHandoff(sender);
    const marker = `E2E-outage-${Date.now()}`;
    await fillSteps(sender, marker);
    expect((await send(sender)).status()).toBe(201);
    await inbox.waitForTimeout(1500); // what a push would have needed (≈ 0.2 s measured by handoff.spec.ts)
    await expect(rows).toHaveCount(before);

    // the connection is back: the client reconnects (at once on "online", else after its backoff) and catches up
    down = false;
    await careManager.setOffline(true);
    await careManager.setOffline(false);
    await expect(indicator).toHaveAttribute('data-live-status', 'connected', { timeout: 40_000 });
    await expect(rows).toHaveCount(before + 1);
    await expect(inbox.getByRole('listitem', { name: new RegExp(`^退院時情報提供書 ${PATIENT} `) })).not.toHaveCount(0);
    // once: no duplicate row appears after the catch-up
    await inbox.waitForTimeout(1500);
    await expect(rows).toHaveCount(before + 1);
    expect(await inbox.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'the inbox was not reloaded').toBe(true);
    await expectAccessible(inbox, 'the inbox after the connection came back');
  } finally {
    await msw.close();
    await careManager.close();
  }
});

test('a send that fails on the network keeps what was typed, says what to do, and goes through once when sent again', async ({ page }) => {
  await signIn(page, USERS.msw);
  await openNewHandoff(page);
  const marker = `E2E-failed-send-${Date.now()}`;
  await fillSteps(page, marker);
  // every POST of the document fails before it reaches the hub (the client's own retries included)
  let cut = 0;
  await page.route('**/fhir/Bundle', (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    cut++;
    return route.abort('internetdisconnected');
  });
  await page.getByRole('button', { name: '送信する' }).click();
  await expect(page.getByText('ハブに接続できません。').first()).toBeVisible();
  expect(cut, 'the document was sent and cut off').toBeGreaterThanOrEqual(1);
  // still the review step, with everything typed
  await expect(page.getByRole('heading', { level: 2, name: '7. 確認と送信' })).toBeVisible();
  await expect(page.getByRole('article', { name: '送信前の確認（文書のプレビュー）' })).toContainText(marker);
  await expectAccessible(page, 'the hand-off form after a failed send');

  await page.unroute('**/fhir/Bundle');
  await send(page); // 201: stored now, once
  await expect(page.getByRole('status').filter({ hasText: '退院時情報提供書を送信しました' })).toBeVisible();
});
