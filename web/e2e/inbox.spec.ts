// Care manager (issue 19, flow 3): a hand-off the MSW sent is opened from 受信箱, received (受領) and accepted (受諾),
// each step a PUT of the Task as read with If-Match; the MSW's open 送信済み list follows each state without reload.
import { expect, test, type Page, type Request } from '@playwright/test';
import { fillSteps, japanDay, japaneseDate, openNewHandoff, PATIENT, send } from './handoffSteps';
import { expectAccessible, signIn, USERS } from './support';

// a deadline no other spec uses, so that this hand-off's rows are told apart from the others of the run
const DISCHARGE_IN_DAYS = 5;

/** The next `PUT Task/{id}` of the page, as the browser sent it. */
function nextTaskPut(page: Page): Promise<Request> {
  return page.waitForRequest((r) => r.method() === 'PUT' && /\/fhir\/Task\/[^/?]+$/.test(new URL(r.url()).pathname));
}

test('the care manager opens the MSW\'s hand-off from the inbox, marks it 受領 then 受諾 (If-Match), and the MSW\'s 送信済み shows each state', async ({ browser }) => {
  const msw = await browser.newContext();
  const careManager = await browser.newContext();
  try {
    const sender = await msw.newPage();
    await signIn(sender, USERS.msw);
    await openNewHandoff(sender);
    const marker = `E2E-inbox-${Date.now()}`;
    await fillSteps(sender, marker, undefined, DISCHARGE_IN_DAYS);
    await send(sender);
    await sender.getByRole('link', { name: '送信済み一覧へ' }).click();
    await expect(sender.getByRole('heading', { level: 1 })).toHaveText('送信済みの退院時情報提供書');
    // newest first, and nothing else is sent meanwhile: the first document stays this one
    const sentRow = sender.getByRole('main').getByRole('listitem').first().getByRole('row').filter({ hasText: '佐々木 和子' });
    await expect(sentRow.getByRole('cell').nth(1)).toHaveText('送信済み（未受領）');
    await expect(sentRow.getByRole('cell').nth(2)).toContainText(`残り${DISCHARGE_IN_DAYS}日（期限 ${japaneseDate(japanDay(DISCHARGE_IN_DAYS))}`);
    await sender.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const inbox = await careManager.newPage();
    await signIn(inbox, USERS.careManager, 'inbox');
    await expect(inbox.getByRole('heading', { level: 1 })).toHaveText('受信箱');
    const row = inbox
      .getByRole('list', { name: '受信した引継ぎと回答' })
      .getByRole('listitem', { name: new RegExp(`^退院時情報提供書 ${PATIENT} 未受領`) })
      .filter({ hasText: `残り${DISCHARGE_IN_DAYS}日` });
    await expect(row).toHaveCount(1);
    await expectAccessible(inbox, 'the inbox with the hand-off');
    await row.getByRole('link', { name: `${PATIENT} さん` }).click();

    // the hand-off's page: this document (its text), 未受領, only 受領 possible
    await expect(inbox.getByRole('heading', { level: 1 })).toHaveText(`退院時情報提供書：${PATIENT} さん`);
    await expect(inbox.getByRole('article', { name: '文書の内容' })).toContainText(marker);
    const state = inbox.getByRole('region', { name: /^状態:/ });
    await expect(state.getByRole('heading', { level: 2 })).toHaveText('状態: 未受領');
    const receive = inbox.getByRole('button', { name: '受領', exact: true });
    const accept = inbox.getByRole('button', { name: '受諾', exact: true });
    await expect(receive).toBeEnabled();
    await expect(accept).toBeDisabled();
    await expectAccessible(inbox, 'the hand-off, not yet received');

    // 受領: the Task as read (version 1) with status received, If-Match naming that version
    let put = nextTaskPut(inbox);
    await receive.click();
    let request = await put;
    expect(request.headers()['if-match'], 'If-Match of the version read').toMatch(/^W\/"\d+"$/);
    expect(JSON.parse(request.postData() ?? '{}').status).toBe('received');
    expect((await request.response())?.status(), 'the hub accepts the step').toBe(200);
    await expect(state.getByRole('status')).toHaveText('受領しました。');
    await expect(state.getByRole('heading', { level: 2 })).toHaveText('状態: 受領');
    await expect(receive).toBeDisabled();
    await expect(sentRow.getByRole('cell').nth(1)).toHaveText('受領');
    await expectAccessible(inbox, 'the hand-off, received');

    // 受諾: the version the 受領 answered, a newer If-Match
    const received = request.headers()['if-match'];
    put = nextTaskPut(inbox);
    await accept.click();
    request = await put;
    expect(request.headers()['if-match'], 'If-Match of the version 受領 stored').toMatch(/^W\/"\d+"$/);
    expect(request.headers()['if-match']).not.toBe(received);
    expect(JSON.parse(request.postData() ?? '{}').status).toBe('accepted');
    expect((await request.response())?.status(), 'the hub accepts the step').toBe(200);
    await expect(state.getByRole('status')).toHaveText('受諾しました。');
    await expect(state.getByRole('heading', { level: 2 })).toHaveText('状態: 受諾');
    await expect(accept).toBeDisabled();
    await expectAccessible(inbox, 'the hand-off, accepted');

    // the MSW's list, open all along, shows the state and the delivery within the deadline
    await expect(sentRow.getByRole('cell').nth(1)).toHaveText('受諾');
    await expect(sentRow.getByRole('cell').nth(2)).toContainText('期限内');
    expect(await sender.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'the sent list was not reloaded').toBe(true);
    await expectAccessible(sender, 'the sent list after 受諾');
  } finally {
    await careManager.close();
    await msw.close();
  }
});
