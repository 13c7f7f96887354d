// Roles without patient access (issue 20, point 6): the municipal officer signs in and the app shows her no patient
// data anywhere — not on her home, not in the patient list, not on a patient's page opened by its address — and no
// answer the hub gave her carries any of it. What she is told is why, in Japanese.
import { expect, test, type Response } from '@playwright/test';
import { expectAccessible, SCREENSHOTS, signIn, USERS } from './support';

const MUNICIPAL = USERS.municipal;
/**
 * What identifies the demo patients (keycloak/demo-fhir.json): their names in kanji and kana. (The id she typed in the
 * address may be repeated back to her — "Patient/pat-yamada is not known", as for an id that does not exist.)
 */
const PATIENT_DATA = ['山田', 'ヤマダ', '花子', '佐藤', 'サトウ', '一郎', '鈴木', 'スズキ', 'トメ'];

test('the municipal officer sees no patient data: not on her home, the patient list or a patient page opened by its address', async ({ page }) => {
  const answers: Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/fhir/')) answers.push(r);
  });
  await signIn(page, MUNICIPAL);
  await expect(page.getByRole('banner')).toContainText(MUNICIPAL.name);
  await expect(page.getByRole('banner')).toContainText(MUNICIPAL.profession);

  await page.goto('patients');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('患者一覧');
  await expect(page.getByRole('status', { name: /^(更新中|読み込み中)$/ })).toHaveCount(0);
  await expect(page.getByRole('list', { name: '患者' }).getByRole('listitem')).toHaveCount(0);
  await expectAccessible(page, "the municipal officer's patient list");

  // a patient's address, typed or bookmarked: refused, said in Japanese, nothing of the patient shown
  await page.goto('patients/pat-yamada');
  await expect(page.getByRole('alert').first()).toBeVisible();
  await expect(page.getByRole('alert').first()).toContainText(/許可されていません|見つかりません/);
  await expectAccessible(page, 'a patient page the municipal officer may not open');
  await page.screenshot({ path: `${SCREENSHOTS}no-patient-access.png`, animations: 'disabled' });

  const shown = await page.locator('body').innerText();
  for (const datum of PATIENT_DATA) expect(shown, `the page shows "${datum}"`).not.toContain(datum);
  for (const answer of answers) {
    const body = (await answer.body().catch(() => Buffer.from(''))).toString('utf8');
    for (const datum of PATIENT_DATA) {
      expect(body, `${answer.request().method()} ${new URL(answer.url()).pathname} answered with "${datum}"`).not.toContain(datum);
    }
  }
  expect(answers.length, 'the app asked the hub').toBeGreaterThan(0);
});
