// An open history panel follows sync (issue 11 item 7): rows turn from pending to confirmed as
// the server confirms them, and after a rebase the panel shows the events as they now are —
// without being closed and opened again.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/server/token.ts';
import { launchChromium } from './browser.ts';
import { baseUrl, eventually, historyRows, itemAt, lineOf, openHistory, skusAt } from './cart-page.ts';

const secret = inject('syncSecret');

const pendingFlags = (page: Page) => historyRows(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pending')));
const rowWords = (page: Page) => historyRows(page).evaluateAll((rows) => rows.map((row) => row.querySelector('.event-words')?.textContent ?? ''));
const synced = (page: Page) =>
  eventually(async () => `${await page.getByTestId('sync-status').getAttribute('data-state')}/${await page.getByTestId('sync-status').getAttribute('data-pending')}`).toBe('synced/0');

describe('the history panel while syncing', () => {
  it('follows confirmations and a rebase while open', async () => {
    const token = await mintToken(`e2e-history-${randomUUID()}`, secret);
    const browser = await launchChromium();
    try {
      const device = async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(baseUrl);
        await page.getByTestId('cart-status').waitFor();
        await page.evaluate((value) => localStorage.setItem('cartlog:sync', JSON.stringify(value)), { url: baseUrl, token });
        await page.reload();
        await page.getByTestId('sync-status').waitFor();
        return { page, context };
      };
      const a = await device();
      const [x, y, z, w] = await skusAt(a.page, [1, 13, 25, 37]);
      await itemAt(a.page, x!).getByTestId('add-to-cart').click();
      await synced(a.page);
      const cartId = await a.page.getByTestId('cart-switcher').inputValue();

      await openHistory(a.page);
      await a.context.setOffline(true);
      await itemAt(a.page, y!).getByTestId('add-to-cart').click();
      await eventually(() => pendingFlags(a.page)).toEqual(['false', 'false', 'true']);
      await a.context.setOffline(false);
      await eventually(() => pendingFlags(a.page)).toEqual(['false', 'false', 'false']);

      const b = await device();
      await eventually(() => b.page.getByTestId('cart-switcher').locator(`option[value="${cartId}"]`).count()).toBe(1);
      await b.page.getByTestId('cart-switcher').selectOption(cartId);
      await lineOf(b.page, y!).waitFor();
      await openHistory(b.page);
      await b.context.setOffline(true);
      await itemAt(b.page, z!).getByTestId('add-to-cart').click();
      await eventually(() => pendingFlags(b.page)).toEqual(['false', 'false', 'false', 'true']);

      // A's change reaches the server first: B's is rebased on top of it. A's open panel says
      // when the server has it — sync-status alone may still read synced/0 from before the click
      // (the pending count follows the commit a moment later), which let B push first.
      await itemAt(a.page, w!).getByTestId('add-to-cart').click();
      await eventually(() => pendingFlags(a.page)).toEqual(['false', 'false', 'false', 'false']);
      await b.context.setOffline(false);
      await synced(b.page);
      await eventually(() => pendingFlags(b.page)).toEqual(['false', 'false', 'false', 'false', 'false']);
      const words = await rowWords(b.page);
      const nameOf = async (sku: string) => (await itemAt(b.page, sku).locator('.product-info > span').first().textContent())!;
      expect(words[3]).toContain(await nameOf(w!));
      expect(words[4]).toContain(await nameOf(z!));
    } finally {
      await browser.close();
    }
  });
});
