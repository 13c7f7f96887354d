// Fails the build when the JavaScript a first visit loads (the scripts and module preloads index.html names)
// exceeds the budget of issue 19: 350 KB gzipped. Pages are lazy chunks and do not count.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET = 350 * 1024;
const out = 'target/classes/static/app';
const index = readFileSync(join(out, 'index.html'), 'utf8');
const urls = [...index.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="\/app\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
if (urls.length === 0) {
  console.error('first-load budget: index.html names no script');
  process.exit(1);
}
const total = urls.reduce((sum, url) => sum + gzipSync(readFileSync(join(out, url)), { level: 9 }).length, 0);
console.log(`first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${urls.length} file(s), budget ${BUDGET / 1024} KB`);
if (total > BUDGET) {
  console.error('first-load budget exceeded: load the new code lazily (a route or a dynamic import)');
  process.exit(1);
}
