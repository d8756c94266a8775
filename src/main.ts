// First, before the modules below are evaluated: the database starts opening.
import './ui/open-first.ts';
import { mount } from 'svelte';
import App from './ui/App.svelte';
import { afterPaint } from './ui/followed.svelte.ts';
import { pageWorkspaces } from './ui/session.svelte.ts';
import type { Workspace } from './ui/workspace.ts';
import './ui/app.css';

// The database began opening as the script started (open-first.ts). The page is rendered once the
// session is open, the cart with it: nothing of the page's own (its render, a first frame of an
// empty page and the browser's compositing of it) runs while the database answers, and the cart
// is in the first paint. Should the database be slow to open, the page renders before, saying so.
// (Rendered off the document while the database opens instead, it measured no faster.)
const RENDER_ANYWAY_MS = 150;
const workspaces = pageWorkspaces();
const opening = workspaces.open();
let rendered = false;
const render = (opened?: Workspace) => {
  if (rendered) return;
  rendered = true;
  mount(App, { target: document.getElementById('app')!, props: { workspaces, opening, ...(opened ? { opened } : {}) } });
};
const slow = setTimeout(render, RENDER_ANYWAY_MS);
void opening.finally(() => clearTimeout(slow)).then(render, () => render());

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
