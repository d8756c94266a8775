// One device moved between releases served on one origin (a rollback and forward again): the
// releases meet in the origin's IndexedDB and localStorage, which is what such a scenario tests.
// The app's service worker would answer the next load from the release it cached — a newer one
// only waits for the shopper's click in the update banner — so the page leaves first and the
// origin's worker is unregistered: the next load comes from whatever the server serves now, and
// the page is checked to run that very build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { visit } from './cart.ts';

/**
 * Leaves the app: the tab goes to about:blank (nothing of its release runs or syncs any more) and
 * the origin's service workers are removed. Its storage stays as it is.
 */
export async function leaveApp(page: Page): Promise<void> {
  const origin = new URL(page.url()).origin;
  await page.goto('about:blank');
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'service_workers' });
  } finally {
    await cdp.detach();
  }
}

/** Opens the app at `url` in `page`, running the build in `root` (else it fails). */
export async function openRelease(page: Page, url: string, root: string): Promise<void> {
  await visit(page, url);
  await expectBuild(page, root);
}

/** Fails unless `page` runs the build in `root` (app.ts's snapshot): its entry module, named by the build's hash. */
export async function expectBuild(page: Page, root: string): Promise<void> {
  const expected = entryScript(readFileSync(join(root, 'dist', 'index.html'), 'utf8'));
  const running = entryScript(await page.content());
  if (running !== expected) throw new Error(`the page at ${page.url()} runs ${running}, not the build in ${root} (${expected})`);
}

function entryScript(html: string): string {
  return /<script type="module"[^>]* src="([^"]+)"/.exec(html)?.[1] ?? 'no entry script';
}
