// Every main state of the page (issue 11, item 9), at 1280×800 and 360×740: axe-core finds no
// serious or critical WCAG 2.1 A/AA violation, nothing scrolls sideways, and a screenshot of each
// is saved under test-results/screens/ to be looked at.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/server/token.ts';
import { launchChromium } from './browser.ts';
import { baseUrl, eventually, itemAt, lineOf, openHistory, rowAt, seek, skusAt, textOf } from './cart-page.ts';
import { lookAt } from './look.ts';

// An account of this file's own: a device that syncs an account with carts shows its latest
// open cart (CONTRACT §3), so another file's carts must not be in it.
const token = await mintToken(`e2e-look-${randomUUID()}`, inject('syncSecret'));
let browser: Browser;
const contexts: BrowserContext[] = [];
beforeAll(async () => void (browser = await launchChromium()));
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});
afterAll(async () => void (await browser?.close()));

async function open(): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByTestId('cart-status').waitFor();
  // The sync chunk is loaded after the cart: its pill is part of every state.
  await page.getByTestId('sync-status').waitFor();
  return { page, context };
}

const syncState = (page: Page) => eventually(() => page.getByTestId('sync-status').getAttribute('data-state'));

async function useSync(page: Page, settings: { url: string; token: string } | undefined) {
  await page.evaluate((value) => (value ? localStorage.setItem('cartlog:sync', JSON.stringify(value)) : localStorage.removeItem('cartlog:sync')), settings);
  await page.reload();
  await page.getByTestId('sync-status').waitFor();
}

describe('how the page looks in every main state', () => {
  it('shop, cart, sync settings and error, history present / past / what-if, checked out, past order, import error, sandbox', async () => {
    const { page } = await open();
    await lookAt(page, 'shop');

    const skus = await skusAt(page, [0, 9, 21, 33, 45]);
    for (const sku of skus) await itemAt(page, sku).getByTestId('add-to-cart').click();
    await itemAt(page, skus[0]!).getByTestId('add-to-cart').click();
    await eventually(() => page.getByTestId('cart-line').count()).toBe(5);
    await lookAt(page, 'cart');

    // Sync settings: a dialog; a wrong token is refused in it, and nothing is saved.
    await page.getByTestId('sync-settings').click();
    const dialog = page.getByRole('dialog', { name: 'Sync settings' });
    await dialog.waitFor();
    await page.getByTestId('sync-url').fill(baseUrl);
    await lookAt(page, 'sync-settings');
    await page.getByTestId('sync-token').fill('not-a-token');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await textOf(dialog.getByRole('status')).toMatch(/refused the token/);
    await lookAt(page, 'sync-settings-refused');
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);

    // A stored token the server refuses: the pill says error.
    await useSync(page, { url: baseUrl, token: 'not-a-token' });
    await syncState(page).toBe('error');
    await lookAt(page, 'sync-error');
    await useSync(page, { url: baseUrl, token: '' });
    await syncState(page).toBe('local-only');

    await openHistory(page);
    await lookAt(page, 'history-present');
    await seek(page, 3);
    await lookAt(page, 'history-past');
    await page.getByTestId('history-present').click();
    await rowAt(page, 2).getByTestId('history-skip').click();
    await page.getByTestId('history-banner').waitFor();
    await lookAt(page, 'history-what-if');
    await page.getByTestId('history-present').click();
    await page.getByTestId('history-toggle').click();
    await eventually(() => page.getByTestId('history-panel').count()).toBe(0);

    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    await lookAt(page, 'checked-out');

    await page.getByTestId('new-cart').click();
    await textOf(page.getByTestId('cart-status')).toBe('open');
    await page.getByTestId('past-order').first().click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    await lookAt(page, 'past-order');

    await openHistory(page);
    await page.getByTestId('history-import').setInputFiles({ name: 'broken.cartlog.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"not": "an event"}\n') });
    await page.getByTestId('import-error').waitFor();
    // On a phone the panel is a sheet: the picker and its refusal are scrolled into it.
    await lookAt(page, 'import-error', () => page.getByTestId('import-error').evaluate((error) => error.scrollIntoView({ block: 'center' })));

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
    const text = await readFile((await download.path())!, 'utf8');
    await page.getByTestId('history-import').setInputFiles({ name: 'order.cartlog.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
    await page.getByTestId('sandbox-banner').waitFor();
    await syncState(page).toBe('local-only');
    await lookAt(page, 'sandbox');
    await page.getByTestId('sandbox-exit').click();
    await eventually(() => page.getByTestId('sandbox-banner').count()).toBe(0);
  }, 240_000);

  it('the catalog stepper (at 1, 2 and 99, the focus on one) and the import picker with the focus on it', async () => {
    const { page } = await open();
    const [one, two, full] = (await skusAt(page, [0, 1, 2])) as [string, string, string];
    for (const sku of [one, two, two, full]) await itemAt(page, sku).getByTestId('add-to-cart').click();
    const field = lineOf(page, full).getByTestId('line-qty');
    await field.fill('99');
    await field.press('Enter');
    await eventually(() => itemAt(page, full).getByTestId('add-to-cart').isDisabled()).toBe(true);
    // The ring as the keyboard shows it: from the first row's "+" to the second row's "−".
    await itemAt(page, one).getByTestId('add-to-cart').focus();
    await page.keyboard.press('Tab');
    await lookAt(page, 'catalog-stepper');
    // The same cart's lines (on a phone below the catalog), the 99 the widest quantity they hold.
    await lookAt(page, 'cart-lines', () => page.locator('#cart').evaluate((cart) => cart.scrollIntoView({ block: 'start' })));

    await openHistory(page);
    await page.getByTestId('history-export-all').focus();
    await page.keyboard.press('Tab');
    // On a phone the panel is a sheet: the focused picker is scrolled into it at each width.
    await lookAt(page, 'import-focus', () => page.evaluate(() => document.activeElement?.scrollIntoView({ block: 'center' })));
  }, 120_000);

  it('a rejected change, at the top of the cart', async () => {
    const device = async () => {
      const { page, context } = await open();
      await useSync(page, { url: baseUrl, token });
      await syncState(page).toBe('synced');
      return { page, context };
    };
    const a = await device();
    const [x, y] = await skusAt(a.page, [2, 14]);
    await itemAt(a.page, x!).getByTestId('add-to-cart').click();
    await eventually(() => a.page.getByTestId('sync-status').getAttribute('data-pending')).toBe('0');
    const cartId = await a.page.getByTestId('cart-switcher').inputValue();

    const b = await device();
    await eventually(() => b.page.getByTestId('cart-switcher').locator(`option[value="${cartId}"]`).count()).toBe(1);
    await b.page.getByTestId('cart-switcher').selectOption(cartId);
    await lineOf(b.page, x!).waitFor();

    await b.context.setOffline(true);
    await itemAt(b.page, y!).getByTestId('add-to-cart').click();
    await a.page.getByTestId('checkout').click();
    await textOf(a.page.getByTestId('cart-status')).toBe('checked-out');
    await eventually(() => a.page.getByTestId('sync-status').getAttribute('data-pending')).toBe('0');
    await b.context.setOffline(false);
    await eventually(() => b.page.getByTestId('rejected-item').count()).toBe(1);

    // At the top of the cart: above its name, in the first screen.
    const banner = await b.page.getByTestId('rejected-item').boundingBox();
    const name = await b.page.getByTestId('cart-name').boundingBox();
    expect(banner!.y).toBeLessThan(name!.y);
    await lookAt(b.page, 'rejected');
  }, 120_000);
});
