// What the page says about its storage, in the built app (issue 24, items 4 and 5): a database
// newer than the page's code is refused with a reload, never opened; a database the browser
// deleted while the page was away is told, never shown as an empty cart (without sync: it is gone,
// how to keep carts next time; with sync: they are being restored); whether the browser keeps the
// storage, and on WebKit that it deletes it after 7 days without a visit, with the export at hand.
// Each state is looked at (look.ts) at both widths, in a light and a dark preference.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/server/token.ts';
import { baseUrl, eventually, itemAt, skusAt, useBrowser } from './cart-page.ts';
import { lookAt } from './look.ts';

// An account of this file's own: a device that syncs an account with carts shows its latest
// open cart (CONTRACT §3), so another file's carts must not be in it.
const token = await mintToken(`e2e-notices-${randomUUID()}`, inject('syncSecret'));
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const browser = useBrowser();

async function open(options: { userAgent?: string } = {}): Promise<Page> {
  const page = await browser.open(options);
  // The sync chunk is loaded after the cart: its state decides what the notices say.
  await page.getByTestId('sync-status').waitFor();
  return page;
}

/** The state in a light and a dark preference (the page keeps its own light colours in both). */
async function lookBoth(page: Page, state: string, shown?: string): Promise<void> {
  // The part the state is about, in the picture at each width (on a phone the footer is far down).
  const settle = shown ? () => page.getByTestId(shown).evaluate((element) => element.scrollIntoView({ block: 'end' })) : undefined;
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await lookAt(page, `${state}-${colorScheme}`, settle);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Adds a product, so the device holds a cart. */
async function shop(page: Page): Promise<void> {
  const [sku] = await skusAt(page, [0]);
  await itemAt(page, sku!).getByTestId('add-to-cart').click();
  await eventually(() => page.getByTestId('cart-line').count()).toBe(1);
}

/** What the browser does to the page's database while the page is away, then the page again. */
async function whileAway(page: Page, change: () => Promise<void>): Promise<void> {
  await change();
  await page.reload();
}

describe('what the page says about its storage', () => {
  it('refuses a database a newer release upgraded, and offers the reload instead of the cart', async () => {
    const page = await open();
    await whileAway(page, () =>
      page.evaluate(
        () =>
          new Promise<void>((done, fail) => {
            // The next release: a version up and a table more (this tab's connection closes for it).
            const request = indexedDB.open('cartlog', 1000);
            request.onupgradeneeded = () => request.result.createObjectStore('later');
            request.onsuccess = () => (request.result.close(), done());
            request.onerror = () => fail(request.error);
          }),
      ),
    );
    await page.getByTestId('newer-version').waitFor();
    expect(await page.getByTestId('newer-version').textContent()).toMatch(/newer version of cartlog.*Reload/s);
    expect(await page.getByTestId('cart-status').count()).toBe(0);
    expect(await page.evaluate(() => new Promise((done) => (indexedDB.open('cartlog').onsuccess = (e) => done((e.target as IDBOpenDBRequest).result.version))))).toBe(1000);
    await lookBoth(page, 'newer-version');
  }, 60_000);

  const deleteDatabase = (page: Page) =>
    page.evaluate(
      () =>
        new Promise<void>((done, fail) => {
          const request = indexedDB.deleteDatabase('cartlog');
          request.onsuccess = () => done();
          request.onerror = () => fail(request.error);
        }),
    );

  it('tells a database deleted while the page was away, and how to keep carts next time; with sync, that they come back', async () => {
    const page = await open();
    await shop(page);
    await whileAway(page, () => deleteDatabase(page));
    const notice = page.getByTestId('lost-database');
    await notice.waitFor();
    expect(await notice.getAttribute('data-why')).toBe('marker');
    await eventually(() => notice.textContent()).toMatch(/carts are gone.*No other copy was kept.*set up sync/s);
    await lookBoth(page, 'lost-database');
    await page.getByTestId('lost-database-dismiss').click();
    expect(await notice.count()).toBe(0);

    await shop(page);
    await page.evaluate((value) => localStorage.setItem('cartlog:sync', JSON.stringify(value)), { url: baseUrl, token });
    await whileAway(page, () => deleteDatabase(page));
    await page.getByTestId('lost-database-restoring').waitFor();
    await lookBoth(page, 'lost-database-syncing');
  }, 90_000);

  it('with sync set up, restores the carts from the server at once and says whether any change was lost', async () => {
    const page = await open();
    await page.evaluate((value) => localStorage.setItem('cartlog:sync', JSON.stringify(value)), { url: baseUrl, token });
    await page.reload();
    const status = page.getByTestId('sync-status');
    await status.waitFor();
    await shop(page);
    const [, second] = await skusAt(page, [0, 1]);
    await itemAt(page, second!).getByTestId('add-to-cart').click();
    await eventually(() => page.getByTestId('cart-count').textContent()).toBe('2');
    await eventually(async () => `${await status.getAttribute('data-state')}/${await status.getAttribute('data-pending')}`).toBe('synced/0');

    await whileAway(page, () => deleteDatabase(page));
    await eventually(() => page.getByTestId('lost-database-restoring').textContent()).toMatch(/restored from the sync server.*nothing is lost/s);
    // The cart on show comes back from the server, without the shopper doing anything.
    await eventually(() => page.getByTestId('cart-count').textContent()).toBe('2');
    await eventually(() => page.getByTestId('cart-line').count()).toBe(2);

    // A change the server never got (its pushes fail) is gone with the next loss, and named.
    await page.getByTestId('lost-database-dismiss').click();
    await page.route('**/v1/push', (route) => route.abort('internetdisconnected'));
    const [, , third] = await skusAt(page, [0, 1, 2]);
    await itemAt(page, third!).getByTestId('add-to-cart').click();
    await eventually(() => page.getByTestId('cart-count').textContent()).toBe('3');
    await eventually(() => page.evaluate(() => localStorage.getItem('cartlog:pending-list'))).toMatch(/Add 1 ×/);
    await whileAway(page, () => deleteDatabase(page));
    await eventually(() => page.getByTestId('lost-database-restoring').textContent()).toMatch(/had not reached the server yet: (it is|they are) lost/);
    await eventually(() => page.getByTestId('lost-database-changes').textContent()).toMatch(/Add 1 ×/);
    await eventually(() => page.getByTestId('cart-count').textContent()).toBe('2');
    await lookBoth(page, 'lost-database-changes');
  }, 120_000);

  it('says whether the browser keeps the storage, and on WebKit that it deletes it after 7 days, with the export', async () => {
    const page = await open({ userAgent: SAFARI });
    await shop(page);
    const kept = page.getByTestId('storage-persisted');
    await kept.waitFor();
    expect(['true', 'false']).toContain(await kept.getAttribute('data-persisted'));
    await page.getByTestId('storage-evicts').waitFor();
    await lookBoth(page, 'storage-evicts', 'storage-evicts');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('storage-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^cartlog-all-carts-.*\.cartlog\.ndjson$/);
  }, 60_000);
});
