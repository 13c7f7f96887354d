// Builds the app shell's service worker (src/sw/sw.ts) after the app: /app/sw.js, one file without imports, told
// which files make the shell (every file of this build but index.html, which it caches as /app/ itself, and the
// public files: manifest and icons) and a version that changes with them, so a new build replaces the old cache.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'vite';

function filesUnder(dir: string): string[] {
  let found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    found = statSync(path).isDirectory() ? [...found, ...filesUnder(path)] : [...found, path];
  }
  return found;
}

export function serviceWorker(): Plugin {
  let root = '';
  let outDir = '';
  let publicDir = '';
  let built: string[] = [];
  return {
    name: 'renkei-service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
      publicDir = config.publicDir;
    },
    generateBundle(_options, bundle) {
      built = Object.keys(bundle).filter((file) => file !== 'index.html' && !file.endsWith('.map'));
    },
    async closeBundle() {
      const publicFiles = publicDir ? filesUnder(publicDir) : [];
      const shell = [...built, ...publicFiles.map((p) => relative(publicDir, p).split('\\').join('/'))].sort();
      const version = createHash('sha256');
      shell.forEach((file) => version.update(file + '\n'));
      publicFiles.forEach((p) => version.update(readFileSync(p)));
      await build({
        configFile: false,
        root,
        logLevel: 'warn',
        publicDir: false,
        define: {
          __SHELL_FILES__: JSON.stringify(shell),
          __SHELL_VERSION__: JSON.stringify(version.digest('hex').slice(0, 16)),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          lib: { entry: resolve(root, 'src/sw/sw.ts'), formats: ['es'], fileName: () => 'sw.js' },
        },
      });
    },
  };
}
