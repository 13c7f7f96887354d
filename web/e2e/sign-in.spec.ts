// Everyone (issue 19, flow 1): sign in on Keycloak's Japanese login page, land on the home of one's profession with
// one's name and profession in the header, sign out (ending the Keycloak session) to a page that stays signed out.
import { expect, test } from '@playwright/test';
import { expectAccessible, expectKeycloakLoginPage, SCREENSHOTS, signIn, USERS } from './support';

for (const user of [USERS.msw, USERS.careManager, USERS.visitingNurse, USERS.physician]) {
  test(`${user.username} signs in to the ${user.home} home and signs out`, async ({ page }) => {
    await signIn(page, user);

    await expect(page).toHaveURL(/\/app\/?$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(user.home);
    const header = page.getByRole('banner');
    await expect(header.getByText(user.name, { exact: true })).toBeVisible();
    await expect(header.getByText(user.profession, { exact: true })).toBeVisible();
    await expectAccessible(page, `${user.home} home`);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: `${SCREENSHOTS}home-${user.username.replace('.', '-')}.png`, animations: 'disabled' });

    await header.getByRole('button', { name: 'サインアウト' }).click();
    // back from Keycloak's end-session; the sign-out request's state is consumed and leaves the URL
    await expect(page).toHaveURL(/\/app\/signed-out$/);
    const signedOut = page.getByRole('heading', { level: 1, name: 'サインアウトしました' });
    await expect(signedOut).toBeVisible();
    expect(await page.evaluate(() => Object.keys(window.sessionStorage)), 'sessionStorage after sign-out').toEqual([]);
    await expectAccessible(page, 'the signed-out page');

    // a reload (a shared ward PC) starts the app again but does not sign in by itself
    const signIns: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/protocol/openid-connect/auth')) {
        signIns.push(request.url());
      }
    });
    await page.reload();
    await expect(signedOut).toBeVisible();
    await expect(page.getByRole('button', { name: 'もう一度サインイン' })).toBeEnabled();
    await expect(page).toHaveURL(/\/app\/signed-out$/);
    expect(signIns, 'sign-in requests after the reload').toEqual([]);

    // the Keycloak session has ended too: opening the app asks for the password again
    await page.goto('./');
    await expectKeycloakLoginPage(page);
  });
}
