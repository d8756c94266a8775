import { mount } from 'svelte';
import App from './ui/App.svelte';
import { afterPaint } from './ui/followed.svelte.ts';
import { pageWorkspaces } from './ui/session.svelte.ts';
import './ui/app.css';

// The database opens first: the browser opens it while the page renders what needs nothing
// stored (the catalog). The render waits a task, so the open request is sent before it (Dexie
// sends it from a microtask).
const workspaces = pageWorkspaces();
const opening = workspaces.open();
setTimeout(() => mount(App, { target: document.getElementById('app')!, props: { workspaces, opening } }));

// Offline support (service worker, update banner, persistent storage) is not needed to shop: it
// starts from its own chunk once the cart (or why it could not open) is painted and the browser
// is idle — not while the database opens, when the page is idle too.
void opening
  .catch(() => undefined)
  .then(() =>
    afterPaint(() =>
      whenIdle(() => {
        void import('./pwa/index.ts').then(({ startOffline }) => startOffline(document.getElementById('app-update')!));
      }),
    ),
  );

function whenIdle(task: () => void): void {
  // Safari has no requestIdleCallback.
  const idle = () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(task, { timeout: 2000 }) : setTimeout(task, 100));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}
