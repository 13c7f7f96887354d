/**
 * Registers the app shell's service worker (/app/sw.js, scope /app/) in the built app; the dev server has none.
 * A failure (a browser without service workers, a private window that refuses them) leaves the app as it was: online only.
 */
export function registerServiceWorker(base: string = import.meta.env.BASE_URL): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) {
    return;
  }
  const register = () => void navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch(() => {});
  if (document.readyState === 'complete') {
    register();
  } else {
    window.addEventListener('load', register, { once: true });
  }
}
