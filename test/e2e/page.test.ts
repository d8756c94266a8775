// What a shopper meets on the page (issue 11): the header at phone width, the sync dialog, the
// cart footer on screen, typed quantities, the one refusal and where it sits, undo offers, and
// where the focus goes when its control goes away.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { baseUrl, eventually, itemAt, lineOf, openHistory, skusAt, textOf, useBrowser, valueOf } from './cart-page.ts';
import { contrast, focusRing } from './look.ts';

const browser = useBrowser();
const focusedTestid = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? document.activeElement?.tagName);
const inViewport = (page: Page, testid: string) =>
  page.getByTestId(testid).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
  });

async function addLines(page: Page, rows: number[]): Promise<string[]> {
  const skus = await skusAt(page, rows);
  for (const sku of skus) await itemAt(page, sku).getByTestId('add-to-cart').click();
  await eventually(() => page.getByTestId('cart-line').count()).toBe(skus.length);
  return skus;
}

describe('at phone width', () => {
  it('the header is one row with History and Sync visible; the total and Check out stay on screen', async () => {
    const page = await browser.open();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByTestId('sync-settings').waitFor();
    const header = await page.locator('header.top').boundingBox();
    expect(header!.height).toBeLessThanOrEqual(64);
    for (const testid of ['history-toggle', 'sync-settings', 'sync-status']) expect({ testid, visible: await inViewport(page, testid) }).toEqual({ testid, visible: true });
    expect(await page.getByTestId('history-toggle').getAttribute('aria-label')).toBeNull();
    expect(await page.getByRole('button', { name: 'History' }).count()).toBe(1);

    await addLines(page, [0, 6, 12, 18, 24, 30, 36, 42]);
    for (const y of [0, 2000, 100_000]) {
      await page.evaluate((top) => scrollTo(0, top), y);
      expect({ y, checkout: await inViewport(page, 'checkout'), total: await inViewport(page, 'cart-total') }).toEqual({ y, checkout: true, total: true });
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
  });

  it('a cart line gives its name the width of the cart, its controls under it; the cart tools keep their words on one line (both used to break)', async () => {
    const page = await browser.open();
    await page.setViewportSize({ width: 360, height: 740 });
    await addLines(page, [0, 1, 2]);
    const widths = await page.getByTestId('cart-line').evaluateAll((rows) =>
      rows.map((row) => Math.round((row.querySelector('.line-name')!.getBoundingClientRect().width / row.getBoundingClientRect().width) * 100)),
    );
    for (const share of widths) expect(share).toBeGreaterThan(90);
    // The cart's tools (Rename, Undo, Empty cart, Archive) keep their words on one line.
    const tools = await page.locator('.cart-tools button').evaluateAll((buttons) =>
      buttons.map((button) => {
        const words = document.createRange();
        words.selectNodeContents(button);
        return { text: button.textContent!.trim(), lines: new Set([...words.getClientRects()].map((box) => Math.round(box.top))).size };
      }),
    );
    expect(tools.filter((tool) => tool.lines > 1)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
  });
});

describe('the cart', () => {
  it('keeps its total and Check out on screen with many lines at 1280', async () => {
    const page = await browser.open();
    await addLines(page, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
    expect(await inViewport(page, 'checkout')).toBe(true);
    expect(await inViewport(page, 'cart-total')).toBe(true);
    // One row per line: no taller than two lines of text.
    const heights = await page.getByTestId('cart-line').evaluateAll((rows) => rows.map((row) => row.getBoundingClientRect().height));
    expect(Math.max(...heights)).toBeLessThan(80);
  });

  it('takes a typed quantity on Enter; a refused one stays typed with the reason beside it; leaving reverts', async () => {
    const page = await browser.open();
    const [sku] = await addLines(page, [3]);
    const qty = lineOf(page, sku!).getByTestId('line-qty');
    await qty.fill('12');
    await qty.press('Enter');
    await valueOf(qty).toBe('12');
    await textOf(page.getByTestId('cart-count')).toBe('12');

    await qty.fill('100');
    await qty.press('Enter');
    const error = page.getByTestId('error-message');
    await textOf(error).toMatch(/99/);
    expect(await qty.inputValue()).toBe('100');
    // Beside the line it is about.
    expect(await lineOf(page, sku!).getByTestId('error-message').count()).toBe(1);
    expect(await page.getByTestId('error-message').count()).toBe(1);

    await qty.fill('two');
    await qty.press('Enter');
    await textOf(error).toMatch(/whole number/);

    // Leaving the field puts back the cart's quantity, and the refusal about it goes.
    await page.getByTestId('catalog-search').focus();
    await valueOf(qty).toBe('12');
    await eventually(() => error.count()).toBe(0);
    await textOf(page.getByTestId('cart-count')).toBe('12');
  });

  it('nothing overwrites a quantity being typed: a change from another tab shows once the field is left', async () => {
    const page = await browser.open();
    const [sku] = await addLines(page, [8]);
    const other = await browser.context().newPage();
    await other.goto(baseUrl);
    await lineOf(other, sku!).waitFor();

    const qty = lineOf(page, sku!).getByTestId('line-qty');
    await qty.fill('7');
    await lineOf(other, sku!).getByTestId('qty-inc').click();
    await textOf(page.getByTestId('cart-count')).toBe('2');
    expect(await qty.inputValue()).toBe('7');
    await qty.press('Escape');
    await valueOf(qty).toBe('2');
  });

  it('one refusal at a time, covering no control; it stays at least 8 s, then leaves by itself', async () => {
    const page = await browser.open();
    const [sku] = await addLines(page, [2]);
    const qty = lineOf(page, sku!).getByTestId('line-qty');
    await qty.fill('0');
    await qty.press('Enter');
    const error = page.getByTestId('error-message');
    await error.waitFor();
    const shownAt = Date.now();

    // Nothing clickable lies under it.
    const covered = await error.evaluate((box) => {
      const own = box.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('button, input, select, a[href]')]
        .filter((control) => !box.contains(control) && control.offsetParent !== null)
        .filter((control) => {
          const r = control.getBoundingClientRect();
          return r.left < own.right && r.right > own.left && r.top < own.bottom && r.bottom > own.top;
        })
        .map((control) => control.getAttribute('data-testid') ?? control.textContent);
    });
    expect(covered).toEqual([]);

    await page.waitForTimeout(7000);
    expect(await error.count()).toBe(1);
    await eventually(() => error.count()).toBe(0);
    expect(Date.now() - shownAt).toBeGreaterThanOrEqual(8000);
  });

  it('remove and empty cart offer Undo; the focus moves to a neighbour, never to the page', async () => {
    const page = await browser.open();
    const [a, b] = await addLines(page, [1, 11]);
    await lineOf(page, a!).getByTestId('line-remove').focus();
    await page.keyboard.press('Enter');
    await eventually(() => lineOf(page, a!).count()).toBe(0);
    await eventually(() => focusedTestid(page)).toBe('line-remove');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="cart-line"]')?.getAttribute('data-sku'))).toBe(b);
    await page.getByTestId('notice-undo').click();
    await eventually(() => lineOf(page, a!).count()).toBe(1);

    await page.getByTestId('cart-clear').click();
    await eventually(() => page.getByTestId('cart-line').count()).toBe(0);
    await eventually(() => focusedTestid(page)).toBe('notice-undo');
    await page.keyboard.press('Enter');
    await eventually(() => page.getByTestId('cart-line').count()).toBe(2);

    // − reaching 1 turns it off: the focus moves to the quantity beside it.
    const inc = lineOf(page, b!).getByTestId('qty-inc');
    await inc.click();
    await valueOf(lineOf(page, b!).getByTestId('line-qty')).toBe('2');
    await lineOf(page, b!).getByTestId('qty-dec').focus();
    await page.keyboard.press('Enter');
    await valueOf(lineOf(page, b!).getByTestId('line-qty')).toBe('1');
    await eventually(() => focusedTestid(page)).toBe('line-qty');
  });
});

describe('sync settings', () => {
  it('open in a dialog that keeps the focus, closes on Esc and gives the focus back', async () => {
    const page = await browser.open();
    await page.getByTestId('sync-settings').click();
    const dialog = page.getByRole('dialog', { name: 'Sync settings' });
    await dialog.waitFor();
    expect(await page.getByLabel('Server address').count()).toBe(1);
    expect(await page.getByLabel('Token').count()).toBe(1);
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await focusedTestid(page)).toBe('sync-settings');
  });

  it('checks the address and token before saving, and says in the dialog what failed', async () => {
    const page = await browser.open();
    await page.getByTestId('sync-settings').click();
    const dialog = page.getByRole('dialog', { name: 'Sync settings' });
    await page.getByTestId('sync-url').fill(baseUrl);
    await page.getByTestId('sync-token').fill('wrong');
    await page.getByTestId('sync-save').click();
    await textOf(dialog.getByRole('status')).toMatch(/refused the token/);
    expect(await dialog.isVisible()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('cartlog:sync'))).toBeNull();

    // An address nothing answers at: named in the reason; a second Save keeps it anyway.
    await page.getByTestId('sync-url').fill('http://127.0.0.1:9');
    await page.getByTestId('sync-save').click();
    await textOf(dialog.getByRole('status')).toMatch(/No connection to the server at http:\/\/127\.0\.0\.1:9/);
    await textOf(page.getByTestId('sync-save')).toBe('Save anyway');
    await page.getByTestId('sync-save').click();
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await focusedTestid(page)).toBe('sync-settings');
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('cartlog:sync')))!)).toMatchObject({ url: 'http://127.0.0.1:9', token: 'wrong' });
  });
});

describe('keyboard', () => {
  it('the focus ring is ≥ 3:1 on what it sits on, in the header and on the page', async () => {
    const page = await browser.open();
    await page.getByTestId('sync-settings').waitFor();
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 740 });
      for (const testid of ['sync-settings', 'history-toggle', 'catalog-search', 'add-to-cart', 'new-cart']) {
        await page.getByTestId(testid).first().focus();
        // :focus-visible follows the keyboard: a key press first, as a keyboard user does.
        await page.keyboard.press('Shift');
        const ring = await focusRing(page);
        expect({ width, testid, style: ring.style }).toEqual({ width, testid, style: 'solid' });
        expect({ width, testid, ratio: contrast(ring.outline, ring.behind) >= 3 }).toEqual({ width, testid, ratio: true });
      }
    }
  });

  it('Esc closes the history and gives the focus back to its toggle; ↑/↓ move, Space skips', async () => {
    const page = await browser.open();
    await addLines(page, [0, 10]);
    await openHistory(page);
    await page.keyboard.press('ArrowUp');
    await eventually(() => page.getByTestId('history-slider').inputValue()).toBe('2');
    await page.keyboard.press(' ');
    await eventually(() => page.locator('[data-testid="history-event"][data-version="2"] [data-testid="history-skip"]').getAttribute('data-skipped')).toBe('true');
    await page.keyboard.press('ArrowDown');
    await eventually(() => page.getByTestId('history-slider').inputValue()).toBe('3');
    await page.keyboard.press('Escape');
    await eventually(() => page.getByTestId('history-panel').count()).toBe(0);
    expect(await focusedTestid(page)).toBe('history-toggle');
  });
});
