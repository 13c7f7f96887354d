// Benchmark (docs/benchmarks.md, "The ambulance crew's flow"): from opening the app signed out to 山田 花子's emergency
// summary on screen — Keycloak's login page, the 救急隊 home, the search, the reason, the declaration and the
// summary — within 5 s on this machine. Not a test: run by deploy/bench-web.sh ems.bench.ts against the hub of
// deploy/up.sh with the demo data loaded, never by `mvn verify`.
//
// Each run is a new browser context (no Keycloak session, nothing cached): the crew's phone at 375 × 812. The clock
// starts with the navigation to /app/ and stops when the DOM shows the summary's DNAR line; the robot's typing is
// part of it (Playwright fills each field at once, so it stands for a crew that knows what to type, not for their
// fingers). Each run declares once: a grant, an AuditEvent and a notice to her care manager, as a real declaration.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { expect, test, type Browser } from '@playwright/test';
import { USERS } from '../e2e/support';

const RUNS = Number(process.env.RENKEI_BENCH_RUNS ?? 10);
/** DEV ONLY: the demo users' password (keycloak/README.md); the password grant is enabled for development only. */
const PASSWORD = 'renkei-dev-only';
const appUrl = (): URL => new URL(test.info().project.use.baseURL!);

/** Her emergency sheet, sent by her care manager as ems.spec.ts does (answered with the stored one when already there). */
async function ensureSheet(): Promise<number> {
  const fhir = new URL('../fhir/', appUrl());
  const smart = (await (await fetch(new URL('.well-known/smart-configuration', fhir))).json()) as { token_endpoint: string };
  const token = await fetch(smart.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'renkei-web', username: USERS.careManager.username, password: PASSWORD, scope: 'openid' }),
  });
  expect(token.status, 'a token for the care manager (password grant, dev only)').toBe(200);
  const sent = await fetch(new URL('Bundle', fhir), {
    method: 'POST',
    headers: { Authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}`, 'Content-Type': 'application/fhir+json' },
    body: readFileSync(new URL('../e2e/fixtures/emergency-sheet-yamada.json', import.meta.url), 'utf8'),
  });
  expect([200, 201], `the emergency sheet: ${sent.status}`).toContain(sent.status);
  return sent.status;
}

interface Run {
  total: number;
  signedIn: number;
  declared: number;
}

async function oneRun(browser: Browser, run: number): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  try {
    const page = await context.newPage();
    const start = Date.now();
    await page.goto('./');
    await page.locator('#username').fill(USERS.ems.username);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#kc-login').click();
    await page.getByRole('link', { name: '患者を検索して緊急時アクセス' }).click();
    const signedIn = Date.now() - start;
    await page.getByRole('textbox', { name: /氏名（漢字またはカナ）/ }).fill('ヤマダ ハナコ');
    await page.getByRole('textbox', { name: /生年月日/ }).fill('1938/5/12');
    await page.getByRole('button', { name: '緊急時アクセスを宣言する' }).click();
    const dialog = page.getByRole('dialog', { name: '緊急時アクセスの理由' });
    await dialog.getByRole('textbox', { name: /理由/ }).fill(`ベンチマーク ${run + 1}: 自宅で意識消失`);
    const declaredAt = Date.now();
    await dialog.getByRole('button', { name: '宣言して閲覧を開始' }).click();
    await expect(page.getByText('DNAR — 心肺蘇生を希望しない')).toBeVisible();
    const end = Date.now();
    return { total: end - start, signedIn, declared: end - declaredAt };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const row = (what: string, xs: number[]) => `| ${what} | ${xs.length} | ${median(xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`;

test('the ambulance crew: sign-in to the emergency summary on screen', async ({ browser }) => {
  const sheet = await ensureSheet();
  const loadBefore = loadavg()[0];
  await oneRun(browser, -1); // warm-up: the hub's first searches, Keycloak's first login of the user
  const runs: Run[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await oneRun(browser, run));
  const loadAfter = loadavg()[0];

  const report = [
    `### Run ${new Date().toISOString()}`,
    '',
    `Command: \`deploy/bench-web.sh ems.bench.ts\` (RENKEI_BENCH_RUNS=${RUNS}, after one warm-up) against ${appUrl().origin}; ` +
      `emergency sheet ${sheet === 201 ? 'sent' : 'already there'}; Chromium ${browser.version()}, ${cpus().length} CPUs, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after.`,
    '',
    '| measurement (ms) | runs | median | worst | each |',
    '|---|---:|---:|---:|---:|',
    row('app opened signed out → Keycloak login → 救急隊 home → search → reason → summary (DNAR) on screen', runs.map((r) => r.total)),
    row('… of which until the emergency page is open (sign-in round trip, home, link)', runs.map((r) => r.signedIn)),
    row('… of which 宣言して閲覧を開始 → summary on screen ($break-glass, $emergency-summary, render)', runs.map((r) => r.declared)),
    '',
  ].join('\n');
  console.log(`\n${report}`);
  mkdirSync('target/bench', { recursive: true });
  writeFileSync('target/bench/ems.md', report);
});
