// The cart page as the journeys see it, by its contract testids (CONTRACT §6), through the
// engine-neutral Tab: every read is one evaluate, every action a real click, typing or key.
import { expect } from 'vitest';
import type { Tab } from './driver/index.ts';

export const byTestId = (testid: string) => `[data-testid="${testid}"]`;
export const item = (sku: string) => `[data-testid="catalog-item"][data-sku="${sku}"]`;
export const line = (sku: string) => `[data-testid="cart-line"][data-sku="${sku}"]`;
export const inLine = (sku: string, testid: string) => `${line(sku)} ${byTestId(testid)}`;

export interface CartShown {
  status: string | null;
  count: string | null;
  cents: string | null;
  /** SKU → quantity, in the order shown. */
  lines: [string, string][];
}

/** What the cart panel shows. `line-qty` is an input (its value) or, in older builds, text. */
export function cartShown(tab: Tab): Promise<CartShown> {
  return tab.evaluate(() => {
    const text = (testid: string) => document.querySelector(`[data-testid="${testid}"]`)?.textContent?.trim() ?? null;
    const lines = [...document.querySelectorAll('[data-testid="cart-line"]')].map((row): [string, string] => {
      const qty = row.querySelector<HTMLElement>('[data-testid="line-qty"]');
      const value = qty instanceof HTMLInputElement ? qty.value : (qty?.textContent ?? '');
      return [row.getAttribute('data-sku') ?? '', value.trim()];
    });
    return {
      status: text('cart-status'),
      count: text('cart-count'),
      cents: document.querySelector('[data-testid="cart-total"]')?.getAttribute('data-cents') ?? null,
      lines,
    };
  }, null);
}

/** Waits until the cart shows exactly these lines (SKU → quantity). */
export function expectLines(tab: Tab, lines: Record<string, number>) {
  const wanted = Object.entries(lines).map(([sku, qty]) => [sku, String(qty)]);
  return expect.poll(async () => (await cartShown(tab)).lines.sort()).toEqual(wanted.sort());
}

/** Waits for the app to be up: the cart is shown (a blank page never gets there). */
export async function appReady(tab: Tab): Promise<void> {
  await expect.poll(async () => (await cartShown(tab)).status, { timeout: 30_000 }).toBe('open');
}

export interface Product {
  sku: string;
  cents: number;
}

/** Catalog rows far apart, so they come from different categories. */
export function products(tab: Tab, rows: number[]): Promise<Product[]> {
  return tab.evaluate((at) => {
    const items = [...document.querySelectorAll('[data-testid="catalog-item"]')];
    return at.map((row) => ({ sku: items[row]!.getAttribute('data-sku')!, cents: Number(items[row]!.getAttribute('data-cents')) }));
  }, rows);
}

export const add = (tab: Tab, sku: string) => tab.click(`${item(sku)} ${byTestId('add-to-cart')}`);

/** The shown cart's id (the switcher's value). */
export const cartId = (tab: Tab) => tab.evaluate(() => document.querySelector<HTMLSelectElement>('[data-testid="cart-switcher"]')?.value ?? null, null);

/** Picks a cart in the switcher, as choosing an option does. */
export async function showCart(tab: Tab, id: string): Promise<void> {
  await expect
    .poll(() => tab.evaluate((wanted) => !!document.querySelector(`[data-testid="cart-switcher"] option[value="${wanted}"]`), id), { timeout: 30_000 })
    .toBe(true);
  await tab.evaluate((wanted) => {
    const select = document.querySelector<HTMLSelectElement>('[data-testid="cart-switcher"]')!;
    select.value = wanted;
    select.dispatchEvent(new Event('input', { bubbles: true }));
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }, id);
  await expect.poll(() => cartId(tab)).toBe(id);
}

// Sync (CONTRACT §6 sync-*).
export const syncState = (tab: Tab) =>
  tab.evaluate(() => {
    const status = document.querySelector('[data-testid="sync-status"]');
    return `${status?.getAttribute('data-state')}/${status?.getAttribute('data-pending')}`;
  }, null);

export const synced = (tab: Tab) => expect.poll(() => syncState(tab), { timeout: 45_000 }).toBe('synced/0');

export async function connect(tab: Tab, origin: string, token: string): Promise<void> {
  // The fields may sit in a dialog that is closed (in the page, but not rendered).
  const fieldsShown = await tab.evaluate(() => !!document.querySelector('[data-testid="sync-url"]')?.getClientRects().length, null);
  if (!fieldsShown) await tab.click(byTestId('sync-settings'));
  await tab.type(byTestId('sync-url'), origin);
  await tab.type(byTestId('sync-token'), token);
  await tab.click(byTestId('sync-save'));
  await synced(tab);
}

// History (CONTRACT §6 history-*).
export const slider = (tab: Tab) =>
  tab.evaluate(() => {
    const range = document.querySelector<HTMLInputElement>('[data-testid="history-slider"]');
    return range ? `${range.value}/${range.max}` : null;
  }, null);

/** Moves the slider as a drag would: a new value, then the input event. */
export const seek = (tab: Tab, version: number) =>
  tab.evaluate((to) => {
    const range = document.querySelector<HTMLInputElement>('[data-testid="history-slider"]')!;
    range.value = String(to);
    range.dispatchEvent(new Event('input', { bubbles: true }));
  }, version);

/** Waits until the service worker controls the page; its script URL. */
export const controllingWorker = (tab: Tab) =>
  tab.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((taken) => navigator.serviceWorker.addEventListener('controllerchange', taken, { once: true }));
    }
    return navigator.serviceWorker.controller!.scriptURL;
  }, null);
