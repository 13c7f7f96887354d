// On a phone on a home visit (issue 19, quality bar): at 375 px the home and the patient list fit the width, and a
// keyboard alone reaches the menu, the search box and sign-out; Enter searches.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, expectNoHorizontalScroll, signIn, USERS } from './support';

test.use({ viewport: { width: 375, height: 812 } });

interface Focused {
  description: string;
  visible: boolean;
}

/** Presses Tab until {@code target} has the focus; every element on the way must be visible while focused. */
async function tabTo(page: Page, target: string, matches: (f: Focused) => boolean): Promise<Focused[]> {
  const path: Focused[] = [];
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) {
        return { description: 'body', visible: true };
      }
      const box = el.getBoundingClientRect();
      const style = window.getComputedStyle(el);
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30);
      const type = el.getAttribute('type');
      return {
        description: `${el.tagName.toLowerCase()}${type ? `[type=${type}]` : ''} ${name}`.trim(),
        visible: box.width > 0 && box.height > 0 && box.right > 0 && box.left < window.innerWidth && style.visibility !== 'hidden',
      };
    });
    path.push(focused);
    if (matches(focused)) {
      expect(path.filter((f) => !f.visible).map((f) => f.description), `hidden elements that took the focus before ${target}`).toEqual([]);
      return path;
    }
  }
  throw new Error(`Tab never reached ${target}; it went through: ${path.map((f) => f.description).join(' → ')}`);
}

test('at 375 px the home and the patient list fit the width and work with the keyboard alone', async ({ page }) => {
  await signIn(page, USERS.careManager);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(USERS.careManager.home);
  await expectNoHorizontalScroll(page, 'the home');
  await expectAccessible(page, 'the home at 375 px');

  // the menu button opens the navigation, which carries the user's name on a phone
  await tabTo(page, 'the menu button', (f) => f.description.includes('メニュー'));
  await page.keyboard.press('Enter');
  const menu = page.getByRole('navigation', { name: 'メインメニュー' });
  await expect(menu.getByText(USERS.careManager.name, { exact: true })).toBeVisible();
  await expectAccessible(page, 'the home with the menu open at 375 px');
  await tabTo(page, 'the patient list in the menu', (f) => f.description === 'a 患者一覧');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('患者一覧');
  await expect(menu.getByText(USERS.careManager.name, { exact: true })).not.toBeInViewport();
  await expectNoHorizontalScroll(page, 'the patient list');
  await expectAccessible(page, 'the patient list at 375 px');

  // from the header to the search box, the closed menu's links take no focus (tabTo checks each step is visible)
  await tabTo(page, 'the sign-out button', (f) => /^button.* サインアウト$/.test(f.description));
  await tabTo(page, 'the search box', (f) => f.description.startsWith('input[type=search]'));

  // Enter in the search box searches, in the page (no reload: the app keeps its sign-in)
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await page.keyboard.type('やまだ');
  await page.keyboard.press('Enter');
  const list = page.getByRole('list', { name: '患者' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('link', { name: '山田 花子（ヤマダ ハナコ）' })).toBeVisible();
  expect(new URL(page.url()).searchParams.get('q')).toBe('やまだ');
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await expectNoHorizontalScroll(page, 'the patient list after a search');

  // and sign-out by keyboard
  await tabTo(page, 'the sign-out button', (f) => /^button.* サインアウト$/.test(f.description));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'サインアウトしました' })).toBeVisible();
  await expectNoHorizontalScroll(page, 'the signed-out page');
});
