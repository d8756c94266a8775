// Shopping with the keyboard alone: every step below is Tab, Shift+Tab, Enter, Space or typing.
// The page is only read — where the focus is, what it shows — never clicked.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { lineOf, skusAt, textOf, useBrowser, valueOf } from './cart-page.ts';

const browser = useBrowser();

interface Focused {
  testid: string | null;
  sku: string | null;
  outline: string;
}

/** The focused element's testid, the SKU of the row it sits in, and its outline style. */
const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return {
      testid: element?.getAttribute('data-testid') ?? null,
      sku: element?.closest('[data-sku]')?.getAttribute('data-sku') ?? null,
      outline: element ? getComputedStyle(element).outlineStyle : 'none',
    };
  });

/** Presses Tab (or Shift+Tab) until the focus is on `testid` (in the row of `sku`); fails after `limit`. */
async function tabTo(page: Page, testid: string, sku?: string, { back = false, limit = 120 } = {}): Promise<Focused> {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (now.testid === testid && (sku === undefined || now.sku === sku)) return now;
  }
  throw new Error(`Tab never reached ${testid}${sku ? ` of ${sku}` : ''}`);
}

describe('keyboard only', () => {
  it('finds two products, adds them, raises a quantity, renames and checks out', async () => {
    const page = await browser.open();
    const [a, b] = (await skusAt(page, [2, 25])) as [string, string];

    // Search by SKU, then the only Add left is the next stop.
    await tabTo(page, 'catalog-search');
    await page.keyboard.type(a);
    expect(await tabTo(page, 'add-to-cart', a, { limit: 1 })).toMatchObject({ outline: 'solid' });
    await page.keyboard.press('Enter');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');

    await tabTo(page, 'catalog-search', undefined, { back: true, limit: 3 });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(b);
    await tabTo(page, 'add-to-cart', b, { limit: 1 });
    await page.keyboard.press('Space');
    await valueOf(lineOf(page, b).getByTestId('line-qty')).toBe('1');

    await tabTo(page, 'qty-inc', a);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('3');

    // Rename in place: Enter opens the field, typing replaces the selected name, Enter saves
    // and hands the focus back to the button.
    await tabTo(page, 'cart-rename', undefined, { back: true });
    await page.keyboard.press('Enter');
    await page.keyboard.type('Keyboard run');
    await page.keyboard.press('Enter');
    await textOf(page.getByTestId('cart-name')).toBe('Keyboard run');
    expect((await focused(page)).testid).toBe('cart-rename');

    await tabTo(page, 'checkout');
    await page.keyboard.press('Enter');
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    await textOf(page.getByTestId('order-summary')).toMatch(/Order placed[\s\S]*4\s+items/);
    // The checkout button is disabled now; the focus waits on the order instead of the page's start.
    expect((await focused(page)).testid).toBe('order-summary');
  });

  it('the skip link takes the focus to the cart', async () => {
    const page = await browser.open();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#cart');
    await page.keyboard.press('Enter');
    expect((await tabTo(page, 'cart-switcher', undefined, { limit: 1 })).outline).toBe('solid');
    await tabTo(page, 'new-cart', undefined, { limit: 1 });
  });
});
