// The app's service worker (docs/web-app.md, offline home visits): caches the app shell at install — index.html, every file of the
// build, the manifest and the icons, listed by the build (vite.config.ts) — so the app opens without a connection.
// It caches nothing else: no FHIR answer, no patient data, nothing at run time. Built to /app/sw.js (scope /app/).
import { shellRoute } from '../offline/shellRoutes';

declare const __SHELL_FILES__: string[];
declare const __SHELL_VERSION__: string;

// The worker's own event types (the WebWorker lib would clash with the DOM lib the app is checked with).
interface WaitingEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchingEvent extends WaitingEvent {
  request: Request;
  respondWith(answer: Promise<Response>): void;
}
interface WorkerScope {
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: WaitingEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchingEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
const PREFIX = 'renkei-shell-';
const CACHE = PREFIX + __SHELL_VERSION__;
const scope = new URL(worker.registration.scope);
const files = new Set(__SHELL_FILES__);
const INDEX = scope.href;

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // past the HTTP cache: index.html is no-cache, and the copy kept must be the one that names these assets
      .then((cache) => cache.addAll([INDEX, ...__SHELL_FILES__.map((f) => new URL(f, scope).href)].map((u) => new Request(u, { cache: 'reload' }))))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  const route = shellRoute(request.method, request.mode, new URL(request.url), scope, files);
  if (route === 'page') {
    event.respondWith(
      fetch(request).catch(async (offline) => {
        const index = await caches.match(INDEX, { cacheName: CACHE, ignoreVary: true });
        if (index) {
          return index;
        }
        throw offline;
      }),
    );
  } else if (route === 'file') {
    // ignoreVary: the hub's answers say Vary: Origin (its CORS filter), and a lazy page's module script is asked with an
    // Origin header the install's request had not: the shell's files are the same for every requester
    event.respondWith(caches.match(request, { cacheName: CACHE, ignoreVary: true }).then((hit) => hit ?? fetch(request)));
  }
  // 'network': not answered here, the browser fetches it as if there were no worker
});
