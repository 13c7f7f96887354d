// Runs `npm ci --no-audit --no-fund` when node_modules does not match package-lock.json (Maven's build calls
// this in every module build; a full `npm ci` each time would cost ~20 s on a 2-core machine for nothing).
// node_modules is taken to match when the stamp written after the last successful `npm ci` names the same lock.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`The web app needs Node.js 20.19 or newer (Vite 8); this is ${process.version}. Install a newer Node.js and npm 11.`);
  process.exit(1);
}

const lock = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const stamp = 'node_modules/.renkei-lock-sha256';
if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lock) {
  console.log('node_modules matches package-lock.json');
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The browser tests drive Debian's Chromium (/usr/bin/chromium): no package may download a browser of its own.
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', env });
if (result.status !== 0) {
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, lock + '\n');
