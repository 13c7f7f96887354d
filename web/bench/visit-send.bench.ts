// Benchmark (docs/benchmarks.md, "Posting a visit"): the visiting nurse's visit — nine observations, one flagged
// いつもと違う — from the tap on 送信 to stored (the transaction's response) within 1 s, on a phone-sized screen. Not a
// test: run by deploy/bench-web.sh against the hub of deploy/up.sh with the demo data loaded, never by `mvn verify`.
//
// Measured in the page, on the page's own clock: t0 just before the click on 送信 is dispatched; "stored" is the
// responseEnd of the transaction's fetch (Resource Timing); "confirmed" the first moment the page says
// 訪問記録を送信しました. Each run opens a new form (new identifiers), so each run stores nine new records.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { expect, test, type Page } from '@playwright/test';
import { signIn, USERS } from '../e2e/support';

const RUNS = Number(process.env.RENKEI_BENCH_RUNS ?? 10);
/** 佐藤 一郎: on the visiting nurse's care team; the browser specs write visits for 山田 花子. */
const PATIENT = 'pat-sato';

test.use({ viewport: { width: 375, height: 812 }, hasTouch: true });

async function fill(page: Page, run: number): Promise<void> {
  await page.goto(`visits/new?patient=${PATIENT}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^訪問記録の入力（佐藤 一郎）$/);
  await page.getByRole('textbox', { name: '体温（℃）' }).fill((36.5 + (run % 5) / 10).toFixed(1));
  await page.getByRole('textbox', { name: '収縮期（mmHg）' }).fill(String(120 + run));
  await page.getByRole('textbox', { name: '拡張期（mmHg）' }).fill(String(70 + (run % 10)));
  await page.getByRole('textbox', { name: '脈拍（回/分）' }).fill(String(70 + run));
  await page.getByRole('textbox', { name: 'SpO2（%）' }).fill('97');
  await page.getByRole('textbox', { name: '呼吸数（回/分）' }).fill('16');
  await page.getByRole('group', { name: '意識（清明・JCS）' }).getByText('清明', { exact: true }).click();
  await page.getByRole('group', { name: '食事量（割）' }).getByText('8割', { exact: true }).click();
  await page.getByRole('radiogroup', { name: '排尿' }).getByText('あり', { exact: true }).click();
  await page.getByRole('radiogroup', { name: '排便' }).getByText('あり', { exact: true }).click();
  await page.getByRole('textbox', { name: '訪問時の記録（自由記載）' }).fill(`ベンチマーク ${run}: 表情は穏やか、食欲あり。`);
  await page.getByRole('checkbox', { name: 'いつもと違う（体温）' }).check();
  await page.waitForLoadState('networkidle');
}

/** The tap on 送信 → the transaction's response (stored), and → the confirmation on screen. */
async function send(page: Page): Promise<{ stored: number; confirmed: number; status: number }> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/fhir'
    && (r.request().postDataJSON() as { type?: string } | null)?.type === 'transaction');
  const timing = page.evaluate(
    () =>
      new Promise<{ t0: number; confirmed: number }>((resolve) => {
        const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === '送信')!;
        const t0 = performance.now();
        button.click();
        const poll = () => {
          if (document.body.textContent?.includes('訪問記録を送信しました')) resolve({ t0, confirmed: performance.now() - t0 });
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      }),
  );
  const response = await answer;
  const { t0, confirmed } = await timing;
  const stored = await page.evaluate((since) => {
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const tx = entries.filter((e) => e.initiatorType === 'fetch' && new URL(e.name).pathname === '/fhir' && e.startTime >= since);
    return tx.length ? tx[tx.length - 1].responseEnd - since : Number.NaN;
  }, t0);
  return { stored, confirmed, status: response.status() };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const row = (what: string, xs: number[]) => `| ${what} | ${xs.length} | ${median(xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`;

test('a visit of nine observations, one flagged: the tap on 送信 → stored', async ({ page, browser }) => {
  await signIn(page, USERS.visitingNurse);
  // warm-up: the form's chunk, the hub's first transaction of this patient
  await fill(page, 0);
  expect((await send(page)).status).toBe(200);

  const stored: number[] = [];
  const confirmed: number[] = [];
  const loads: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    await fill(page, run);
    loads.push(loadavg()[0].toFixed(1));
    const measured = await send(page);
    expect(measured.status, `run ${run}: the transaction's status`).toBe(200);
    stored.push(measured.stored);
    confirmed.push(measured.confirmed);
  }

  const report = [
    `### Run ${new Date().toISOString()}`,
    '',
    `Command: \`deploy/bench-web.sh visit-send\` (RENKEI_BENCH_RUNS=${RUNS}, after one warm-up) against ${new URL(test.info().project.use.baseURL!).origin}; ` +
      `375 × 812, Chromium ${browser.version()}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
      `1-minute load average before each run: ${loads.join(', ')}.`,
    '',
    '| measurement (ms) | runs | median | worst | each |',
    '|---|---:|---:|---:|---:|',
    row('tap on 送信 → transaction answered (nine Observations stored, 200)', stored),
    row('tap on 送信 → 訪問記録を送信しました on screen', confirmed),
    '',
  ].join('\n');
  console.log(`\n${report}`);
  mkdirSync('target/bench', { recursive: true });
  writeFileSync('target/bench/visit-send.md', report);
});
