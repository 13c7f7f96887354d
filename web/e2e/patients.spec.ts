// The patient list (issue 19, flow 1): the care team's patients only, found by kanji, katakana and hiragana.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn, USERS } from './support';

/** Types a query and waits for the hub's answer to exactly that `name` search. */
async function search(page: Page, query: string): Promise<void> {
  const answered = page.waitForResponse(
    (r) => new URL(r.url()).pathname.endsWith('/fhir/Patient') && new URL(r.url()).searchParams.get('name') === query,
  );
  await page.getByRole('searchbox', { name: '氏名で検索' }).fill(query);
  expect((await answered).status()).toBe(200);
  await expect.poll(() => new URL(page.url()).searchParams.get('q'), 'the query in the URL').toBe(query);
}

test("the care manager's list shows her care team's patients, and search finds 山田 花子 in kanji, katakana and hiragana", async ({ page }) => {
  await signIn(page, USERS.careManager);
  await page.getByRole('link', { name: '患者一覧を開く' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('患者一覧');

  // keycloak/demo-fhir.json: her care teams are 山田 花子's and 佐藤 一郎's; 鈴木 トメ's team has no care manager
  const list = page.getByRole('list', { name: '患者' });
  const yamada = list.getByRole('link', { name: '山田 花子（ヤマダ ハナコ）' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(yamada).toBeVisible();
  await expect(list.getByRole('link', { name: '佐藤 一郎（サトウ イチロウ）' })).toBeVisible();
  await expect(list).not.toContainText('鈴木');
  await expect(page.getByRole('status').filter({ hasText: '人' })).toHaveText('2人');
  await expectAccessible(page, 'the patient list');

  // while the hub is still answering, the spinner in the search box is named (a status) and the page passes axe
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  await page.route(
    (url) => url.pathname.endsWith('/fhir/Patient') && url.searchParams.get('name') === '佐藤',
    async (route) => {
      await held;
      await route.continue();
    },
  );
  await page.getByRole('searchbox', { name: '氏名で検索' }).fill('佐藤');
  await expect(page.getByRole('status', { name: '検索中' })).toBeVisible();
  await expectAccessible(page, 'the patient list while searching');
  answer();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('link', { name: '佐藤 一郎（サトウ イチロウ）' })).toBeVisible();
  await page.getByRole('searchbox', { name: '氏名で検索' }).fill('');
  await expect(list.getByRole('listitem')).toHaveCount(2);

  for (const query of ['山田', 'ヤマダ', 'やまだ']) {
    await search(page, query);
    await expect(list.getByRole('listitem'), `search ${query}`).toHaveCount(1);
    await expect(yamada).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: '人' })).toHaveText('1人');
    await page.getByRole('searchbox', { name: '氏名で検索' }).fill('');
    await expect(list.getByRole('listitem')).toHaveCount(2);
  }
  await expectAccessible(page, 'the patient list after a search');

  // a patient outside her care teams is not found either
  await search(page, '鈴木');
  await expect(list.getByRole('listitem')).toHaveCount(0);
  await expect(page.getByText('「鈴木」に一致する患者はいません。')).toBeVisible();
  await expectAccessible(page, 'the patient list with no match');
});
