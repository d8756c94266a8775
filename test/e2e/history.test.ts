// Time travel in the built app: the history panel's rows and slider, the past shown in the cart
// panel with every command off, what-if skips, restore, undo and deep links.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import {
  baseUrl,
  eventually,
  historyRows,
  itemAt,
  lineOf,
  lineSkus,
  openHistory,
  rowAt,
  rowTypes,
  seek,
  shownCart,
  skusAt,
  sliderMax,
  sliderValue,
  switcherIds,
  textOf,
  useBrowser, valueOf } from './cart-page.ts';

const browser = useBrowser();
const PAST = /You are viewing the past/;

interface Story {
  a: string;
  b: string;
  centsA: number;
  centsB: number;
}

/** v1 CartOpened "My cart", v2 ItemAdded a×1, v3 ItemQuantityChanged a×2, v4 ItemAdded b×1, v5 CartRenamed "Party". */
async function tellStory(page: Page): Promise<Story> {
  const [a, b] = (await skusAt(page, [0, 20])) as [string, string];
  const add = (sku: string) => itemAt(page, sku).getByTestId('add-to-cart').click();
  await add(a);
  await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');
  await add(a);
  await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('2');
  await add(b);
  await eventually(() => lineSkus(page)).toEqual([a, b]);
  await page.getByTestId('cart-rename').click();
  await page.getByTestId('cart-name').fill('Party');
  await page.getByTestId('cart-name').press('Enter');
  await textOf(page.getByTestId('cart-name')).toBe('Party');
  const cents = async (sku: string) => Number(await itemAt(page, sku).getAttribute('data-cents'));
  return { a, b, centsA: await cents(a), centsB: await cents(b) };
}

const commands = ['cart-rename', 'cart-archive', 'cart-undo', 'cart-clear', 'checkout', 'new-cart', 'qty-inc', 'qty-dec', 'line-remove', 'add-to-cart'];

async function commandStates(page: Page) {
  return Promise.all(
    commands.map(async (testid) => {
      const button = page.getByTestId(testid).first();
      return { testid, disabled: await button.isDisabled(), title: await button.getAttribute('title'), label: await button.getAttribute('aria-label') };
    }),
  );
}

describe('the history panel', () => {
  it('lists every event as a row with its details, and moves by slider, steps, keys and clicks', async () => {
    const page = await browser.open();
    const { a, b } = await tellStory(page);
    expect(await page.getByTestId('history-panel').count()).toBe(0);
    await openHistory(page);

    await eventually(() => rowTypes(page)).toEqual(['CartOpened', 'ItemAdded', 'ItemQuantityChanged', 'ItemAdded', 'CartRenamed']);
    expect(await page.getByTestId('history-slider').getAttribute('min')).toBe('0');
    expect(await sliderMax(page)).toBe('5');
    expect(await sliderValue(page)).toBe('5');
    // Version, type, time, device, command and sync state, on each row.
    const row = await rowAt(page, 2).textContent();
    // In words: what was added, how many, at what price; then its sync state, time and device.
    expect(row).toMatch(/v2[\s\S]*\+ .+ ×1 · €\d+\.\d{2}[\s\S]*pending[\s\S]*\d{2}[\s\S]*device [0-9a-f]{6}/);
    expect(await rowAt(page, 2).getAttribute('data-pending')).toBe('true');
    expect(await rowAt(page, 2).getByTestId('history-skip').getAttribute('data-skipped')).toBe('false');
    // At the present, the cart shown is the live one: no banner.
    expect(await page.getByTestId('history-banner').count()).toBe(0);

    await page.getByTestId('history-prev').click();
    await eventually(() => sliderValue(page)).toBe('4');
    await textOf(page.getByTestId('cart-name')).toBe('My cart');
    await page.getByTestId('history-prev').click();
    await eventually(() => lineSkus(page)).toEqual([a]);
    await page.getByTestId('history-next').click();
    await eventually(() => lineSkus(page)).toEqual([a, b]);

    // ←/→ once the panel has the focus.
    await page.getByRole('heading', { name: 'History' }).click();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await eventually(() => sliderValue(page)).toBe('2');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('1');
    await page.keyboard.press('ArrowRight');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('2');

    await rowAt(page, 1).click();
    await eventually(() => sliderValue(page)).toBe('1');
    await textOf(page.getByTestId('cart-count')).toBe('0');
    await textOf(page.getByTestId('history-diff')).toMatch(/Cart opened as “My cart”/);
    await seek(page, 3);
    await textOf(page.getByTestId('history-diff')).toMatch(/quantity 1 → 2/);
    await page.getByTestId('history-diff').getByRole('button', { name: 'Raw' }).click();
    await textOf(page.getByTestId('history-diff')).toMatch(/"type": "ItemQuantityChanged"[\s\S]*"commandId"/);
    await page.getByTestId('history-diff').getByRole('button', { name: 'Diff' }).click();
    await seek(page, 0);
    await textOf(page.getByTestId('history-diff')).toMatch(/did not exist yet/);
    expect(await page.getByTestId('cart-line').count()).toBe(0);

    const filter = page.getByTestId('history-filter');
    await filter.selectOption('ItemAdded');
    await eventually(() => rowTypes(page)).toEqual(['ItemAdded', 'ItemAdded']);
    await filter.selectOption('all');
    await eventually(() => historyRows(page).count()).toBe(5);
  });

  it('shows the past in the cart panel with a banner, every command off and saying why; present returns', async () => {
    const page = await browser.open();
    const { a, centsA, centsB } = await tellStory(page);
    await openHistory(page);
    await seek(page, 2);

    await textOf(page.getByTestId('history-banner')).toMatch(/version 2 of 5/);
    await eventually(() => lineSkus(page)).toEqual([a]);
    await textOf(page.getByTestId('cart-count')).toBe('1');
    expect(await page.getByTestId('cart-total').getAttribute('data-cents')).toBe(String(centsA));
    await textOf(page.getByTestId('cart-name')).toBe('My cart');
    for (const state of await commandStates(page)) {
      expect(state, state.testid).toMatchObject({ disabled: true, title: expect.stringMatching(PAST), label: expect.stringMatching(PAST) });
    }

    await page.getByTestId('history-present').click();
    await eventually(() => page.getByTestId('history-banner').count()).toBe(0);
    expect(await sliderValue(page)).toBe('5');
    await textOf(page.getByTestId('cart-name')).toBe('Party');
    expect(await page.getByTestId('cart-total').getAttribute('data-cents')).toBe(String(2 * centsA + centsB));
    expect(await itemAt(page, a).getByTestId('add-to-cart').isDisabled()).toBe(false);
    expect(await page.getByTestId('checkout').isDisabled()).toBe(false);
  });

  it('follows new events at the present, and stays put in the past while the slider grows', async () => {
    const page = await browser.open();
    const { a, b } = await tellStory(page);
    await openHistory(page);

    await itemAt(page, b).getByTestId('add-to-cart').click();
    await eventually(() => sliderMax(page)).toBe('6');
    expect(await sliderValue(page)).toBe('6');
    await eventually(() => historyRows(page).count()).toBe(6);

    await seek(page, 2);
    const other = await browser.context().newPage();
    await other.goto(baseUrl);
    await itemAt(other, a).getByTestId('add-to-cart').click();
    await eventually(() => sliderMax(page)).toBe('7');
    expect(await sliderValue(page)).toBe('2');
    expect(await lineSkus(page)).toEqual([a]);
    await eventually(() => rowAt(page, 7).getAttribute('data-type')).toBe('ItemQuantityChanged');
  });

  it('skips an event out of the replay: the view and totals recompute; clearing the skips restores them; the log keeps it', async () => {
    const page = await browser.open();
    const { a, b, centsA, centsB } = await tellStory(page);
    await openHistory(page);
    const skip = rowAt(page, 2).getByTestId('history-skip');

    await skip.click();
    expect(await skip.getAttribute('data-skipped')).toBe('true');
    // Without a's first line, its quantity change finds no line: only b is left.
    await eventually(() => lineSkus(page)).toEqual([b]);
    expect(await page.getByTestId('cart-total').getAttribute('data-cents')).toBe(String(centsB));
    await textOf(page.getByTestId('history-banner')).toMatch(/1 event skipped/);
    expect(await page.getByTestId('checkout').getAttribute('title')).toMatch(PAST);

    await skip.click();
    expect(await skip.getAttribute('data-skipped')).toBe('false');
    await eventually(() => page.getByTestId('cart-total').getAttribute('data-cents')).toBe(String(2 * centsA + centsB));
    await eventually(() => page.getByTestId('history-banner').count()).toBe(0);

    await rowAt(page, 4).getByTestId('history-skip').click();
    await rowAt(page, 5).getByTestId('history-skip').click();
    await textOf(page.getByTestId('cart-name')).toBe('My cart');
    await eventually(() => lineSkus(page)).toEqual([a]);
    await page.getByRole('button', { name: /Clear skips/ }).click();
    await eventually(() => lineSkus(page)).toEqual([a, b]);
    await textOf(page.getByTestId('cart-name')).toBe('Party');
    expect(await historyRows(page).count()).toBe(5);
    await page.reload();
    await eventually(() => lineSkus(page)).toEqual([a, b]);
  });

  it('restores the state shown as new events; the present then equals it; refused at version 0 and on a checked-out cart', async () => {
    const page = await browser.open();
    const { a, centsA } = await tellStory(page);
    await openHistory(page);

    await seek(page, 0);
    expect(await page.getByTestId('history-restore').isDisabled()).toBe(true);
    expect(await page.getByTestId('history-restore').getAttribute('title')).toMatch(/Version 0 is before the cart existed/);

    await seek(page, 2);
    const shown = await shownCart(page);
    await page.getByTestId('history-restore').click();
    // ItemRemoved b, ItemQuantityChanged a 2 → 1, CartRenamed back: one command, three events.
    await eventually(() => sliderMax(page)).toBe('8');
    expect(await sliderValue(page)).toBe('8');
    await eventually(() => page.getByTestId('history-banner').count()).toBe(0);
    expect(await rowTypes(page)).toEqual(['CartOpened', 'ItemAdded', 'ItemQuantityChanged', 'ItemAdded', 'CartRenamed', 'CartRenamed', 'ItemRemoved', 'ItemQuantityChanged']);
    await eventually(() => shownCart(page)).toEqual(shown);
    expect(shown).toEqual({ lines: [[a, '1']], cents: String(centsA) });
    await textOf(page.getByTestId('cart-name')).toBe('My cart');
    // The panel was at the present, so its link has no version: the reload opens it there.
    await page.reload();
    await historyRows(page).first().waitFor();
    await eventually(() => shownCart(page)).toEqual(shown);
    expect(await sliderValue(page)).toBe('8');

    // Checked out: nothing can change it, so restore is off and says so.
    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    await seek(page, 3);
    expect(await page.getByTestId('history-restore').isDisabled()).toBe(true);
    expect(await page.getByTestId('history-restore').getAttribute('title')).toMatch(/checked out/);
  });
});

describe('undo', () => {
  it('takes back the last change by appending events; off with a reason when there is nothing to undo', async () => {
    const page = await browser.open();
    const undo = page.getByTestId('cart-undo');
    expect(await undo.isDisabled()).toBe(true);
    expect(await undo.getAttribute('title')).toMatch(/no change to undo/);

    const { b } = await tellStory(page);
    await undo.click();
    await textOf(page.getByTestId('cart-name')).toBe('My cart');
    await itemAt(page, b).getByTestId('add-to-cart').click();
    await valueOf(lineOf(page, b).getByTestId('line-qty')).toBe('2');
    await undo.click();
    await valueOf(lineOf(page, b).getByTestId('line-qty')).toBe('1');
    await openHistory(page);
    // Undo appends: 5 events, the undone rename, b's second unit, and its undoing.
    expect(await sliderMax(page)).toBe('8');
    expect(await rowTypes(page)).toEqual([
      'CartOpened',
      'ItemAdded',
      'ItemQuantityChanged',
      'ItemAdded',
      'CartRenamed',
      'CartRenamed',
      'ItemQuantityChanged',
      'ItemQuantityChanged',
    ]);
    expect(await page.getByTestId('error-message').count()).toBe(0);

    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    expect(await undo.isDisabled()).toBe(true);
    expect(await undo.getAttribute('title')).toMatch(/checked out/);
  });
});

describe('deep links', () => {
  it('opens the panel at a version, also after a reload; the hash follows the slider without new history entries; closing clears it', async () => {
    const page = await browser.open();
    const { a } = await tellStory(page);
    const cartId = await page.getByTestId('cart-switcher').inputValue();

    // Another cart is current: the link switches back to the one it names.
    await page.getByTestId('new-cart').click();
    await eventually(() => switcherIds(page)).toHaveLength(2);
    await eventually(() => page.getByTestId('cart-switcher').inputValue()).not.toBe(cartId);

    await page.goto(`${baseUrl}/#/history?cart=${cartId}&at=2`);
    await eventually(() => sliderValue(page)).toBe('2');
    expect(await page.getByTestId('cart-switcher').inputValue()).toBe(cartId);
    await textOf(page.getByTestId('history-banner')).toMatch(/version 2 of 5/);
    await eventually(() => lineSkus(page)).toEqual([a]);

    await page.reload();
    await eventually(() => sliderValue(page)).toBe('2');
    await eventually(() => lineSkus(page)).toEqual([a]);
    expect(await page.getByTestId('cart-switcher').inputValue()).toBe(cartId);

    const entries = await page.evaluate(() => history.length);
    await page.getByTestId('history-next').click();
    await page.getByTestId('history-next').click();
    await eventually(() => page.evaluate(() => location.hash)).toBe(`#/history?cart=${cartId}&at=4`);
    await page.getByTestId('history-next').click();
    // At the present the link leaves the version out: opened later, it follows new events.
    await eventually(() => page.evaluate(() => location.hash)).toBe(`#/history?cart=${cartId}`);
    expect(await page.evaluate(() => history.length)).toBe(entries);

    await page.getByTestId('history-toggle').click();
    await eventually(() => page.getByTestId('history-panel').count()).toBe(0);
    expect(await page.evaluate(() => location.hash)).toBe('');
    await page.reload();
    await page.getByTestId('cart-status').waitFor();
    expect(await page.getByTestId('history-panel').count()).toBe(0);
  });

  it('a link to a cart that is not on this device leaves the page as it was and says why', async () => {
    const page = await browser.open();
    const current = await page.getByTestId('cart-switcher').inputValue();
    await page.goto(`${baseUrl}/#/history?cart=cart-01900000-0000-7000-8000-000000000000&at=1`);
    await textOf(page.getByTestId('error-message')).toMatch(/no longer on this device/);
    expect(await page.getByTestId('history-panel').count()).toBe(0);
    expect(await page.getByTestId('cart-switcher').inputValue()).toBe(current);
  });
});
