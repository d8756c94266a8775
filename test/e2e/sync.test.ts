// Two devices (two browser profiles) syncing through the real server: changes made offline on
// both converge to the same cart, and a change that no longer holds is rejected and shown.
import type { Browser, BrowserContext, Page } from 'playwright';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/server/token.ts';
import { launchChromium } from './browser.ts';
import { baseUrl, itemAt, lineOf, skusAt, textOf, valueOf } from './cart-page.ts';

// An account of this file's own: a device that syncs an account with carts shows its latest
// open cart (CONTRACT §3), so another file's carts must not be in it.
const token = await mintToken(`e2e-sync-${randomUUID()}`, inject('syncSecret'));
let browser: Browser;
const contexts: BrowserContext[] = [];
beforeAll(async () => void (browser = await launchChromium()));
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

async function device(): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByTestId('sync-settings').click();
  await page.getByTestId('sync-url').fill(baseUrl);
  await page.getByTestId('sync-token').fill(token);
  await page.getByTestId('sync-save').click();
  await synced(page);
  return { page, context };
}

const synced = (page: Page) =>
  expect.poll(async () => {
    const status = page.getByTestId('sync-status');
    return `${await status.getAttribute('data-state')}/${await status.getAttribute('data-pending')}`;
  }, { timeout: 20_000 }).toBe('synced/0');

async function showCart(page: Page, cartId: string) {
  await expect.poll(() => page.getByTestId('cart-switcher').locator(`option[value="${cartId}"]`).count(), { timeout: 20_000 }).toBe(1);
  await page.getByTestId('cart-switcher').selectOption(cartId);
}

const quantities = (page: Page) =>
  page.getByTestId('cart-line').evaluateAll((rows) =>
    Object.fromEntries(rows.map((row) => [row.getAttribute('data-sku'), (row.querySelector('[data-testid="line-qty"]') as HTMLInputElement | null)?.value])),
  );

describe('two devices', () => {
  it('converge after both changed the same cart offline; a change that no longer holds is rejected', async () => {
    const a = await device();
    const [x, y, z, w] = await skusAt(a.page, [1, 12, 24, 36]);
    await itemAt(a.page, x!).getByTestId('add-to-cart').click();
    await synced(a.page);
    const cartId = (await a.page.getByTestId('cart-switcher').inputValue())!;

    const b = await device();
    await showCart(b.page, cartId);
    await valueOf(lineOf(b.page, x!).getByTestId('line-qty')).toBe('1');

    // Both offline, both change the same cart.
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    await itemAt(a.page, y!).getByTestId('add-to-cart').click();
    await itemAt(b.page, z!).getByTestId('add-to-cart').click();
    await lineOf(b.page, x!).getByTestId('qty-inc').click();
    await a.context.setOffline(false);
    await synced(a.page);
    await b.context.setOffline(false);
    await synced(b.page);
    await synced(a.page);
    const expected = { [x!]: '2', [y!]: '1', [z!]: '1' };
    await expect.poll(() => quantities(a.page), { timeout: 20_000 }).toEqual(expected);
    await expect.poll(() => quantities(b.page), { timeout: 20_000 }).toEqual(expected);
    expect(await a.page.getByTestId('cart-total').getAttribute('data-cents')).toBe(await b.page.getByTestId('cart-total').getAttribute('data-cents'));

    // A checks out while B, offline, adds: B's add no longer holds.
    await b.context.setOffline(true);
    await itemAt(b.page, w!).getByTestId('add-to-cart').click();
    await a.page.getByTestId('checkout').click();
    await textOf(a.page.getByTestId('cart-status')).toBe('checked-out');
    await synced(a.page);
    await b.context.setOffline(false);
    await synced(b.page);
    await textOf(b.page.getByTestId('cart-status')).toBe('checked-out');
    await expect.poll(() => b.page.getByTestId('rejected-item').count(), { timeout: 20_000 }).toBe(1);
    expect(await b.page.getByTestId('rejected-item').textContent()).toMatch(/checked out/i);
    expect(await quantities(b.page)).toEqual(expected);
    await b.page.getByTestId('rejected-dismiss').click();
    await expect.poll(() => b.page.getByTestId('rejected-item').count()).toBe(0);
  });
});
