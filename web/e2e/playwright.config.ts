import { defineConfig } from '@playwright/test';
import { DEBIAN_CHROMIUM, JAPANESE_DESKTOP } from '../playwright.shared';

// The browser tests of the web app (docs/web-app.md §6). They drive Debian's Chromium, never a downloaded browser,
// against a running hub and its Keycloak with the demo data loaded: the server's BrowserFlowsIT starts both and
// sets RENKEI_APP_URL; by hand, point it at the hub of deploy/up.sh (http://127.0.0.1:8080/app/).

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // one browser at a time: the machine has 2 cores, and sign-ins of one user must not overlap
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: '../target/e2e/results',
  reporter: [['list'], ['json', { outputFile: '../target/e2e/report.json' }]],
  use: {
    ...JAPANESE_DESKTOP,
    navigationTimeout: 60_000,
    actionTimeout: 20_000,
    screenshot: 'only-on-failure',
    launchOptions: DEBIAN_CHROMIUM,
  },
});
