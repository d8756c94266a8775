// The page as the chaos suite reads it: by its contract testids (CONTRACT §6). What the device
// holds is read straight from IndexedDB (device-view.ts).
import type { BrowserContext, Page } from 'playwright';
import { expect } from 'vitest';
import { deviceLog } from './device-view.ts';

export { deviceLog } from './device-view.ts';

/** A new tab on the app; `init` runs in it before the page's own scripts. */
export async function openApp(context: BrowserContext, url: string, init?: () => void): Promise<Page> {
  const page = await context.newPage();
  // The sync engine says when it heals and why: a scenario that heals where it should not shows it.
  page.on('console', (message) => {
    if (message.text().startsWith('cartlog sync:')) console.log(`chaos page: ${message.text()}`);
  });
  if (init) await page.addInitScript(init);
  await visit(page, url);
  return page;
}

/** Loads the app in `page` and waits until it shows a cart. */
export async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('cart-status').waitFor();
}

/**
 * Points the profile at a sync server through the settings dialog, as a user would, and resolves
 * once the dialog closed (CONTRACT §6: only once the settings are stored durably). `unreachable`:
 * the page cannot reach the server now, so its check fails and the second Save ("Save anyway")
 * keeps the settings.
 */
export async function connect(page: Page, url: string, token: string, { unreachable = false } = {}): Promise<void> {
  await page.getByTestId('sync-settings').click();
  await page.getByTestId('sync-url').fill(url);
  await page.getByTestId('sync-token').fill(token);
  await page.getByTestId('sync-save').click();
  if (unreachable) {
    const anyway = page.getByTestId('sync-save').filter({ hasText: /anyway/i });
    await anyway.waitFor();
    await anyway.click();
  }
  await page.getByTestId('sync-url').waitFor({ state: 'hidden' });
}

/** `state/pending` of sync-status, e.g. `synced/0`. */
export async function syncState(page: Page): Promise<string> {
  const status = page.getByTestId('sync-status');
  return `${await status.getAttribute('data-state')}/${await status.getAttribute('data-pending')}`;
}

/**
 * Synced as the stored log says: the status reads synced/0 and every stored event has its server
 * position. The status alone is not enough right after a click: the pending count follows the
 * command's commit a moment later, so synced/0 can still be the state from before it.
 */
export const synced = (page: Page, timeout = 60_000) =>
  expect
    .poll(
      async () => {
        const state = await syncState(page);
        const unconfirmed = (await deviceLog(page)).filter((e) => e.position === undefined).length;
        return unconfirmed ? `${state}, ${unconfirmed} stored events unconfirmed` : state;
      },
      { timeout, interval: 100 },
    )
    .toBe('synced/0');

/** What `cart-count` shows (the sum of quantities). */
export async function shownCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('cart-count').textContent());
}

/** SKU → quantity of the shown cart's lines (`line-qty` is an input's value, or its text). */
export function shownLines(page: Page): Promise<Record<string, number>> {
  return page.getByTestId('cart-line').evaluateAll((rows) =>
    Object.fromEntries(
      rows.map((row) => {
        const qty = row.querySelector('[data-testid="line-qty"]') as HTMLInputElement | HTMLElement | null;
        const text = qty && 'value' in qty && typeof qty.value === 'string' ? qty.value : (qty?.textContent ?? '');
        return [row.getAttribute('data-sku') ?? '', Number(text.trim())];
      }),
    ),
  );
}

export const sum = (lines: Record<string, number>) => Object.values(lines).reduce((a, b) => a + b, 0);

/** SKUs of the first `n` catalog rows. */
export function catalogSkus(page: Page, n: number): Promise<string[]> {
  return page.getByTestId('catalog-item').evaluateAll((rows, n) => rows.slice(0, n).map((row) => row.getAttribute('data-sku')!), n);
}

export const addButton = (page: Page, sku: string) => page.locator(`[data-testid="catalog-item"][data-sku="${sku}"]`).getByTestId('add-to-cart');

/** What a scenario measured: count.ts's figures, and its own (never a figure written in). */
export interface Figures {
  runs?: number;
  [more: string]: number | string | boolean | undefined;
}

/**
 * One line per test with what it measured, so a CI log says how hard each scenario pushed. Print
 * it before asserting: a failed scenario's figures are the ones most worth reading.
 */
export function report(scenario: string, started: number, figures: Figures): void {
  const rest = Object.entries(figures)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`chaos ${scenario}: runs=${figures.runs ?? 1} ${rest.replace(/runs=\S+ ?/, '')} time=${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/**
 * Real click events on the page's buttons, dispatched in the page itself (Playwright's own
 * clicks wait for frames, which background tabs do not render): `selectors[i % n]` for i < times,
 * all at once, or `gapMs` apart. Resolves once all are dispatched; the page works through them
 * in its own time.
 */
export function press(page: Page, selectors: readonly string[], times: number, gapMs = 0): Promise<void> {
  return page.evaluate(
    async ({ selectors, times, gapMs }) => {
      for (let i = 0; i < times; i++) {
        document.querySelector<HTMLButtonElement>(selectors[i % selectors.length]!)?.click();
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    },
    { selectors, times, gapMs },
  );
}

export const addSelector = (sku: string) => `[data-testid="catalog-item"][data-sku="${sku}"] [data-testid="add-to-cart"]`;
export const incSelector = (sku: string) => `[data-testid="cart-line"][data-sku="${sku}"] [data-testid="qty-inc"]`;

/** Starts recording every sync-status state the page shows; the returned call reads them. */
export async function watchSyncStates(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { chaosStates: string[] };
    w.chaosStates = [];
    const status = document.querySelector('[data-testid="sync-status"]')!;
    const note = () => {
      const state = status.getAttribute('data-state') ?? '';
      if (w.chaosStates.at(-1) !== state) w.chaosStates.push(state);
    };
    note();
    new MutationObserver(note).observe(status, { attributes: true, attributeFilter: ['data-state'] });
  });
  return () => page.evaluate(() => (window as unknown as { chaosStates: string[] }).chaosStates);
}

/** Shows the cart `cartId` once this device has it (e.g. after a pull). */
export async function showCart(page: Page, cartId: string): Promise<void> {
  await expect.poll(() => page.getByTestId('cart-switcher').locator(`option[value="${cartId}"]`).count(), { timeout: 60_000 }).toBe(1);
  await page.getByTestId('cart-switcher').selectOption(cartId);
}

export const shownCartId = (page: Page) => page.getByTestId('cart-switcher').inputValue();
