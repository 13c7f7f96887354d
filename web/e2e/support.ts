// What the browser specs share: signing in at the real Keycloak, the axe-core scan, the width check and where
// screenshots go.
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** DEV ONLY: the demo users' password (keycloak/README.md); the specs run against a development realm only. */
export const PASSWORD = 'renkei-dev-only';

/** The screenshots README shows (docs/ui/), written by each run. */
export const SCREENSHOTS = fileURLToPath(new URL('../../docs/ui/', import.meta.url));

/** The demo users of keycloak/README.md the specs sign in as, with what the app shows for them. */
export const USERS = {
  msw: { username: 'msw', name: '加藤 大輔', profession: '医療ソーシャルワーカー', home: '退院調整' },
  careManager: { username: 'care-manager', name: '佐々木 和子', profession: '介護支援専門員', home: 'ケアマネジャー' },
  visitingNurse: { username: 'visiting-nurse', name: '吉田 直美', profession: '訪問看護師', home: '訪問看護' },
  physician: { username: 'physician.home', name: '伊藤 健一', profession: '医師', home: '医師' },
  /** on no care team: no patient data for her (no-patient-access.spec.ts) */
  municipal: { username: 'municipal-officer', name: '井上 陽子', profession: '市町村・地域包括支援センター職員', home: 'ホーム' },
  /** the hub's administrator: the hub's health, no patient data (admin.spec.ts) */
  hubAdmin: { username: 'hub-admin', name: '斎藤 修', profession: 'ハブ管理者', home: 'ハブ管理' },
  /** on 山田 花子's and 佐藤 一郎's care teams (keycloak/demo-fhir.json): medication-report.spec.ts */
  pharmacist: { username: 'pharmacist', name: '小林 美咲', profession: '薬剤師', home: '薬局' },
  /** 山田 花子 herself and her daughter, her registered proxy (patient.spec.ts): their home is her record */
  patient: { username: 'patient.yamada', name: '山田 花子', profession: '本人', home: 'ご本人の記録' },
  family: { username: 'family.yamada', name: '山田 美穂', profession: '家族・代理人', home: 'ご本人の記録' },
  /** the ambulance crew: no patient before declaring an emergency (ems.spec.ts) */
  ems: { username: 'ems', name: '木村 隆', profession: '救急隊', home: '救急隊' },
} as const;

export type DemoUser = (typeof USERS)[keyof typeof USERS];

/** Keycloak's login page, in Japanese whatever the browser's language (the app asks ui_locales=ja). */
export async function expectKeycloakLoginPage(page: Page): Promise<void> {
  await expect(page.locator('#kc-login'), "Keycloak's login page").toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.getByLabel('パスワード', { exact: true })).toBeVisible();
}

/** Opens the app at {@code path} (relative to /app/), signs in on Keycloak's real login page and waits for the frame. */
export async function signIn(page: Page, user: DemoUser, path = './'): Promise<void> {
  await page.goto(path);
  await expectKeycloakLoginPage(page);
  await page.locator('#username').fill(user.username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#kc-login').click();
  await expect(page.getByRole('banner').getByRole('button', { name: 'サインアウト' })).toBeVisible();
  // tokens stay in memory: nothing in localStorage, and the sign-in request in flight has left sessionStorage
  expect(await page.evaluate(() => Object.keys(window.localStorage)), 'localStorage after sign-in').toEqual([]);
  expect(await page.evaluate(() => Object.keys(window.sessionStorage)), 'sessionStorage after sign-in').toEqual([]);
}

/**
 * axe-core finds no serious or critical violation on the page as it is now (every rule axe runs by default); with
 * {@code within} (a CSS selector) only in that part, for a modal dialog: the page behind it is inert and dimmed by the
 * overlay, whose blend axe would measure as the contrast of text no one can read then (scan the page before opening it).
 */
export async function expectAccessible(page: Page, what: string, within?: string): Promise<void> {
  // a dialog or notice still fading in has the contrast of its half-way opacity: scan once such transitions have ended
  // (a spinner's endless animation is not waited for)
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  const axe = new AxeBuilder({ page });
  const { violations, passes } = await (within ? axe.include(within) : axe).analyze();
  expect(passes.length, `axe-core ran its rules on ${what}`).toBeGreaterThan(0);
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")} ${n.html.slice(0, 160)}`).join(", ")}`);
  expect(serious, `axe-core: serious or critical violations on ${what}`).toEqual([]);
}

/** The page does not scroll sideways at the viewport's width (a phone on a home visit). */
export async function expectNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const width = page.viewportSize()!.width;
  const scrollWidth = await page.evaluate(() => document.scrollingElement!.scrollWidth);
  expect(scrollWidth, `${what}: page width at a ${width} px viewport`).toBeLessThanOrEqual(width);
}
