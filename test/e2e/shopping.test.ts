// Shopping in the built app, served by the real server: a fresh profile gets a cart, changes
// show and survive a reload, refusals are explained, checkout becomes an order — and another tab
// follows along without reloading.
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
});

async function freshPage(): Promise<Page> {
  context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(baseUrl);
  return page;
}

const text = (locator: Locator) => expect.poll(() => locator.textContent());
const valueOf = (locator: Locator) => expect.poll(() => locator.inputValue());
const cents = (locator: Locator) => expect.poll(async () => Number(await locator.getAttribute('data-cents')));

interface Product {
  sku: string;
  cents: number;
}

/** Picks catalog rows far apart, so they come from different categories. */
async function products(page: Page, rows: number[]): Promise<Product[]> {
  const items = page.getByTestId('catalog-item');
  return Promise.all(
    rows.map(async (row) => {
      const item = items.nth(row);
      return { sku: (await item.getAttribute('data-sku'))!, cents: Number(await item.getAttribute('data-cents')) };
    }),
  );
}

const addButton = (page: Page, sku: string) => page.locator(`[data-testid="catalog-item"][data-sku="${sku}"]`).getByTestId('add-to-cart');
const line = (page: Page, sku: string) => page.locator(`[data-testid="cart-line"][data-sku="${sku}"]`);

describe('shopping', () => {
  it('adds, changes and removes lines; the cart survives a reload; refusals show and clear; checkout', async () => {
    const page = await freshPage();
    await text(page.getByTestId('cart-status')).toBe('open');
    await text(page.getByTestId('cart-count')).toBe('0');

    const [a, b, c] = (await products(page, [0, 12, 30])) as [Product, Product, Product];
    expect(new Set([a.sku, b.sku, c.sku]).size).toBe(3);
    for (const product of [a, b, c]) await addButton(page, product.sku).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(3);

    await line(page, a.sku).getByTestId('qty-inc').click();
    await line(page, a.sku).getByTestId('qty-inc').click();
    await valueOf(line(page, a.sku).getByTestId('line-qty')).toBe('3');
    await line(page, a.sku).getByTestId('qty-dec').click();
    await valueOf(line(page, a.sku).getByTestId('line-qty')).toBe('2');
    await line(page, c.sku).getByTestId('line-remove').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);

    const expected = async () => {
      await valueOf(line(page, a.sku).getByTestId('line-qty')).toBe('2');
      await valueOf(line(page, b.sku).getByTestId('line-qty')).toBe('1');
      await expect.poll(() => line(page, c.sku).count()).toBe(0);
      await text(page.getByTestId('cart-count')).toBe('3');
      await cents(page.getByTestId('cart-total')).toBe(2 * a.cents + b.cents);
    };
    await expected();

    await page.reload();
    await expected();
    await expect.poll(() => page.getByTestId('cart-line').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sku')))).toEqual([a.sku, b.sku]);

    // Unavailable actions are disabled and say why.
    const dec = line(page, b.sku).getByTestId('qty-dec');
    expect(await dec.isDisabled()).toBe(true);
    expect(await dec.getAttribute('title')).toMatch(/remove the line/i);

    await page.getByTestId('checkout').click();
    await text(page.getByTestId('cart-status')).toBe('checked-out');
    await page.getByTestId('order-summary').waitFor();
    await expect.poll(() => page.getByTestId('order-summary').textContent()).toMatch(/Order placed/);
    expect(await page.getByTestId('checkout').isDisabled()).toBe(true);

    // A checked-out cart takes no more: Add is off and says why; a new cart with the item is offered.
    const add = addButton(page, c.sku);
    expect(await add.isDisabled()).toBe(true);
    expect(await add.getAttribute('title')).toMatch(/checked out/i);
    expect(await line(page, a.sku).getByTestId('qty-inc').count()).toBe(0);
    await page.locator(`[data-testid="catalog-item"][data-sku="${c.sku}"] [data-testid="add-to-new-cart"]`).click();
    await text(page.getByTestId('cart-status')).toBe('open');
    await valueOf(line(page, c.sku).getByTestId('line-qty')).toBe('1');
    await text(page.getByTestId('cart-count')).toBe('1');
    await cents(page.getByTestId('cart-total')).toBe(c.cents);

    // A refusal shows; the next accepted command clears it.
    const qty = line(page, c.sku).getByTestId('line-qty');
    await qty.fill('100');
    await qty.press('Enter');
    await text(page.getByTestId('error-message')).toMatch(/99/);
    await addButton(page, c.sku).click();
    await expect.poll(() => page.getByTestId('error-message').count()).toBe(0);
    await valueOf(qty).toBe('2');
  });

  it('filters the catalog by the search input', async () => {
    const page = await freshPage();
    const items = page.getByTestId('catalog-item');
    await items.first().waitFor();
    const all = await items.count();
    expect(all).toBeGreaterThanOrEqual(60);
    await page.getByTestId('catalog-search').fill('creme');
    await expect.poll(() => items.count()).toBe(1);
    await page.getByTestId('catalog-search').fill('');
    await expect.poll(() => items.count()).toBe(all);
  });

  it('shows a change made in another tab without a reload', async () => {
    const first = await freshPage();
    await text(first.getByTestId('cart-status')).toBe('open');
    const second = await context.newPage();
    await second.goto(baseUrl);
    await text(second.getByTestId('cart-count')).toBe('0');

    const [product] = (await products(first, [5])) as [Product];
    await addButton(first, product.sku).click();
    await addButton(first, product.sku).click();
    await valueOf(line(second, product.sku).getByTestId('line-qty')).toBe('2');
    await cents(second.getByTestId('cart-total')).toBe(2 * product.cents);
  });
});
