// The catalog's stepper (issue 11, item 1): once the open cart holds a product, its row is
// − qty +. The "+" is still add-to-cart (CONTRACT §6: AddItem), "−" takes one off and at 1
// removes the line with the cart's Undo; the focus stays in the row; a click changes only its own
// row; a cart that cannot change keeps the plain Add, off and saying why.
import type { Locator, Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { eventually, itemAt, lineOf, lineSkus, openHistory, seek, skusAt, textOf, useBrowser, valueOf } from './cart-page.ts';

const browser = useBrowser();

const focused = (page: Page) =>
  page.evaluate(() => ({
    testid: document.activeElement?.getAttribute('data-testid') ?? null,
    sku: document.activeElement?.closest('[data-testid="catalog-item"]')?.getAttribute('data-sku') ?? null,
  }));
const nameOf = (locator: Locator) => locator.getAttribute('aria-label');
/** The stepper of a catalog row: its group, "−", the quantity it shows and "+" (add-to-cart). */
const stepperOf = (row: Locator) => ({
  group: row.getByRole('group'),
  less: row.locator('button.less'),
  qty: row.locator('.buy-qty'),
  more: row.getByTestId('add-to-cart'),
});

describe('the catalog stepper', () => {
  it('+ adds one, − takes one off, − at 1 removes with Undo; the focus stays in the row', async () => {
    const page = await browser.open();
    const [a] = (await skusAt(page, [3])) as [string];
    const row = itemAt(page, a);
    const { group, less, qty, more } = stepperOf(row);
    const product = (await row.locator('.product-info > span').first().textContent())!;

    // Not in the cart: a plain Add.
    expect(await group.count()).toBe(0);
    await textOf(more).toBe('Add');
    expect(await nameOf(more)).toBe(`Add ${product}`);

    // From the keyboard: Add turns into "+" under the focus.
    await more.focus();
    await page.keyboard.press('Enter');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');
    await textOf(more).toBe('+');
    expect(await nameOf(more)).toBe(`One more ${product}`);
    expect(await nameOf(group)).toBe(`${product} in the cart`);
    await textOf(qty).toBe('1');
    expect(await focused(page)).toEqual({ testid: 'add-to-cart', sku: a });
    expect(await nameOf(less)).toBe(`Remove ${product}`);

    await page.keyboard.press('Enter');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('2');
    await textOf(qty).toBe('2');
    await textOf(page.getByTestId('cart-count')).toBe('2');
    expect(await nameOf(less)).toBe(`One less ${product}`);
    await textOf(less).toBe('−');

    // "−" from 2 takes one off; the same button now removes, and says so.
    await less.click();
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');
    await textOf(qty).toBe('1');
    await eventually(() => nameOf(less)).toBe(`Remove ${product}`);
    await textOf(less).toBe('✕');
    expect(await focused(page)).toEqual({ testid: null, sku: a });

    // At 1 it removes the line, with the cart's Undo; the row is Add again, and has the focus.
    await less.press('Enter');
    await eventually(() => lineSkus(page)).toEqual([]);
    await textOf(page.locator('.notice')).toMatch(new RegExp(`Removed ${product.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await textOf(more).toBe('Add');
    expect(await group.count()).toBe(0);
    await eventually(() => focused(page)).toEqual({ testid: 'add-to-cart', sku: a });

    await page.getByTestId('notice-undo').click();
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');
    await textOf(qty).toBe('1');
  });

  it('"+" at 99 is off and says why', async () => {
    const page = await browser.open();
    const [a] = (await skusAt(page, [7])) as [string];
    const { more } = stepperOf(itemAt(page, a));
    await more.click();
    const field = lineOf(page, a).getByTestId('line-qty');
    await valueOf(field).toBe('1');
    await field.fill('99');
    await field.press('Enter');
    await valueOf(field).toBe('99');
    await eventually(() => more.isDisabled()).toBe(true);
    expect(await more.getAttribute('title')).toMatch(/at most 99/);
    expect(await nameOf(more)).toMatch(/^One more .* — unavailable: A line holds at most 99\.$/);
  });

  it('a click changes only its own row of the catalog', async () => {
    const page = await browser.open();
    const [a, b] = (await skusAt(page, [1, 20])) as [string, string];
    await itemAt(page, a).getByTestId('add-to-cart').click();
    await textOf(stepperOf(itemAt(page, a)).qty).toBe('1');

    // Every DOM change under the catalog from here on, by the row it happened in.
    await page.locator('.catalog').evaluate((catalog) => {
      const rows = new Set<string>();
      (window as unknown as { changedRows: Set<string> }).changedRows = rows;
      new MutationObserver((records) => {
        for (const record of records) {
          const node = record.target instanceof Element ? record.target : record.target.parentElement;
          rows.add(node?.closest('[data-testid="catalog-item"]')?.getAttribute('data-sku') ?? 'outside a row');
        }
      }).observe(catalog, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const changedRows = () => page.evaluate(() => [...(window as unknown as { changedRows: Set<string> }).changedRows].sort());

    await itemAt(page, a).getByTestId('add-to-cart').click();
    await textOf(stepperOf(itemAt(page, a)).qty).toBe('2');
    await itemAt(page, b).getByTestId('add-to-cart').click();
    await textOf(stepperOf(itemAt(page, b)).qty).toBe('1');
    await stepperOf(itemAt(page, a)).less.click();
    await textOf(stepperOf(itemAt(page, a)).qty).toBe('1');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');
    expect(await changedRows()).toEqual([a, b].sort());
  });

  it('a checked-out cart keeps the plain Add, off with the reason; so does the past', async () => {
    const page = await browser.open();
    const [a, b] = (await skusAt(page, [2, 12])) as [string, string];
    await itemAt(page, a).getByTestId('add-to-cart').click();
    await itemAt(page, a).getByTestId('add-to-cart').click();
    await itemAt(page, b).getByTestId('add-to-cart').click();
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('2');
    await valueOf(lineOf(page, b).getByTestId('line-qty')).toBe('1');

    // The past on show: the cart shown is not the one a command would change.
    await openHistory(page);
    await seek(page, 1);
    const row = itemAt(page, a);
    await eventually(() => stepperOf(row).group.count()).toBe(0);
    await textOf(stepperOf(row).more).toBe('Add');
    expect(await stepperOf(row).more.getAttribute('title')).toMatch(/viewing the past/);
    await textOf(row.locator('.in-cart')).toBe('2 in cart');
    await page.getByTestId('history-present').click();
    await textOf(stepperOf(row).qty).toBe('2');
    await page.getByTestId('history-toggle').click();

    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    for (const sku of [a, b]) {
      const { group, more } = stepperOf(itemAt(page, sku));
      await textOf(more).toBe('Add');
      expect(await group.count()).toBe(0);
      expect(await more.isDisabled()).toBe(true);
      expect(await more.getAttribute('title')).toMatch(/checked out/);
    }
    await textOf(row.locator('.in-cart')).toBe('2 in cart');
  });

  it('fits a phone: the stepper stays inside its row and the page does not scroll sideways', async () => {
    const page = await browser.open();
    await page.setViewportSize({ width: 360, height: 740 });
    const skus = await skusAt(page, [0, 1, 2, 3, 4, 5]);
    for (const sku of skus) await itemAt(page, sku).getByTestId('add-to-cart').click();
    await textOf(stepperOf(itemAt(page, skus[5]!)).qty).toBe('1');
    const fits = await page.getByTestId('catalog-item').evaluateAll((rows) =>
      rows.slice(0, 6).map((row) => {
        const box = row.getBoundingClientRect();
        const buy = row.querySelector('.buy')!.getBoundingClientRect();
        return buy.left >= box.left && buy.right <= box.right && buy.top >= box.top && buy.bottom <= box.bottom;
      }),
    );
    expect(fits).toEqual([true, true, true, true, true, true]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
  });
});
