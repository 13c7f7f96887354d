import { defineConfig } from '@playwright/test';
import { DEBIAN_CHROMIUM, JAPANESE_DESKTOP } from '../playwright.shared';

// The web app's benchmarks (docs/benchmarks.md, "The web app's patient page"): not browser tests, and not part of
// `mvn verify` (the specs' config in e2e/ matches *.spec.ts only). deploy/bench-web.sh runs them against the hub of
// deploy/up.sh with the demo data loaded, in Debian's Chromium (never a downloaded browser).

export default defineConfig({
  testDir: '.',
  testMatch: '*.bench.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 15 * 60_000,
  expect: { timeout: 30_000 },
  outputDir: '../target/bench/results',
  reporter: [['list']],
  use: {
    ...JAPANESE_DESKTOP,
    navigationTimeout: 60_000,
    actionTimeout: 30_000,
    launchOptions: DEBIAN_CHROMIUM,
  },
});
