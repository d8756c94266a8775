// A reload that lands on the newest release: a plain reload of a page served by a service worker
// keeps the old build while a newer worker waits (it takes over only once no tab uses the old
// one). The tab that found a database newer than its code needs the newer build, so the waiting
// worker — after a look for one — is told to take over first (vite-plugin-pwa's prompt worker
// listens for SKIP_WAITING), and the page reloads as it does.
const TAKE_OVER_MS = 4000;

export async function reloadOntoNewest(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
  await registration?.update().catch(() => undefined);
  const next = registration?.waiting ?? registration?.installing;
  if (!next) return location.reload();
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
  next.postMessage({ type: 'SKIP_WAITING' });
  setTimeout(() => location.reload(), TAKE_OVER_MS);
}
