// Registers the service worker vite-plugin-pwa generates (the offline app shell) and reports when
// a newer version of the app is installed and waiting for the user to reload onto it.
import { registerSW } from 'virtual:pwa-register';

export interface ServiceWorkerOptions {
  /**
   * Called once, when a newer version is installed and waiting. `reload` moves to it: the waiting
   * worker takes over and every open tab reloads (the log is in IndexedDB; nothing is lost).
   */
  onUpdateReady(reload: () => void): void;
}

const UPDATE_CHECK_MS = 60 * 60 * 1000;
// If no worker takes over after a click (e.g. the waiting one was replaced), reload anyway.
const RELOAD_FALLBACK_MS = 4000;

export function registerServiceWorker({ onUpdateReady }: ServiceWorkerOptions): void {
  if (!('serviceWorker' in navigator)) return;

  let announced = false;
  const announce = () => {
    if (announced) return;
    announced = true;
    // From now on this page runs the old build. Once the new worker takes over — after a click
    // here or in another tab — reload, so no tab keeps running code the worker no longer serves.
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    onUpdateReady(reload);
  };

  const activateWaiting = registerSW({
    // The caller already waited for the page to load and go idle.
    immediate: true,
    onNeedRefresh: announce,
    // The controllerchange listener above does the reload, also on the first visit's page, which
    // the plugin's own reload skips (it only reloads pages that were controlled when registering).
    onNeedReload: () => {},
    onRegisteredSW: (_url, registration) => {
      if (registration) followUpdates(registration, announce);
    },
  });

  function reload(): void {
    void activateWaiting(true);
    setTimeout(() => location.reload(), RELOAD_FALLBACK_MS);
  }
}

/**
 * workbox-window reports only the first update it sees after registering, and misses one that was
 * already installing when it registered; watch the registration directly as well. A worker that
 * reaches `installed` while the page has a controller is an update (a first install has none).
 */
function followUpdates(registration: ServiceWorkerRegistration, announce: () => void): void {
  const follow = (worker: ServiceWorker | null) => {
    if (!worker) return;
    const check = () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) announce();
    };
    check();
    worker.addEventListener('statechange', check);
  };
  follow(registration.waiting);
  follow(registration.installing);
  registration.addEventListener('updatefound', () => follow(registration.installing));

  // Browsers look for a new sw.js on navigation; a tab left open for days asks now and then too.
  setInterval(() => {
    if (navigator.onLine) registration.update().catch(() => {});
  }, UPDATE_CHECK_MS);
}
