// What the browser tests (e2e/) and the benchmarks (bench/) share: Debian's Chromium, never a downloaded browser
// (docs/web-app.md §10), and a Japanese desktop browser at the app's address.

/** Headless Debian Chromium with the flags the project runs it with. */
export const DEBIAN_CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
};

/** The app under test: RENKEI_APP_URL, else the hub of deploy/up.sh. */
export const APP_URL = (() => {
  const app = process.env.RENKEI_APP_URL ?? 'http://127.0.0.1:8080/app/';
  return app.endsWith('/') ? app : `${app}/`;
})();

/** A Japanese user's desktop browser at the app. */
export const JAPANESE_DESKTOP = {
  baseURL: APP_URL,
  locale: 'ja-JP',
  timezoneId: 'Asia/Tokyo',
  viewport: { width: 1280, height: 800 },
};
