import { defineConfig } from '@playwright/test';

// The browser tests of the web app (docs/web-app.md §6). They drive Debian's Chromium, never a downloaded browser,
// against a running hub and its Keycloak with the demo data loaded: the server's BrowserFlowsTest starts both and
// sets RENKEI_APP_URL; by hand, point it at the hub of deploy/up.sh (http://127.0.0.1:8080/app/).
const app = process.env.RENKEI_APP_URL ?? 'http://127.0.0.1:8080/app/';

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
    baseURL: app.endsWith('/') ? app : `${app}/`,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport: { width: 1280, height: 800 },
    navigationTimeout: 60_000,
    actionTimeout: 20_000,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
});
