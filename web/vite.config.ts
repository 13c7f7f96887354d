import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The hub the dev server proxies to (npm run dev): RENKEI_HUB, default the hub of deploy/up.sh.
const hub = process.env.RENKEI_HUB ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // The hub serves the app at /app/ (jp.renkei.hub.web); every asset URL is under it.
  base: '/app/',
  plugins: [react()],
  build: {
    // Maven packages target/classes into the web jar; Spring Boot serves classpath:/static/app/ at /app/.
    outDir: 'target/classes/static/app',
    emptyOutDir: true,
    // No inline scripts or data: URLs for scripts: the hub's Content-Security-Policy allows script-src 'self' only.
    assetsInlineLimit: 0,
    // the budget that counts is gzipped first-load JavaScript, checked by scripts/first-load-budget.mjs
    chunkSizeWarningLimit: 1200,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/fhir': { target: hub, changeOrigin: false },
      '/notifications': { target: hub.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    // page tests render Mantine in jsdom, seconds each while the build's Java tests share the two cores; the default
    // 5 s timed out under that load. A timeout here guards against a hang, it is not a speed check (benchmarks are)
    testTimeout: 30_000,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
