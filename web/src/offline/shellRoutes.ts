// Which requests the service worker (src/sw/sw.ts) answers, as a plain function so Vitest checks it without a worker.

/**
 * `network`: not the app's shell (FHIR, the notification socket, Keycloak, anything outside /app/, any method but
 * GET): the worker does not touch it, and nothing of it is ever cached. `page`: a navigation under /app/ (index.html
 * for every route): from the network, the cached index.html when there is none. `file`: a file of the build (hashed
 * assets, manifest, icons): from the cache filled at install, else the network.
 */
export type ShellRoute = 'network' | 'page' | 'file';

export function shellRoute(method: string, mode: string, url: URL, scope: URL, shellFiles: ReadonlySet<string>): ShellRoute {
  if (method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) {
    return 'network';
  }
  if (mode === 'navigate') {
    return 'page';
  }
  return url.search === '' && shellFiles.has(url.pathname.slice(scope.pathname.length)) ? 'file' : 'network';
}
