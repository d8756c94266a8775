// Issue 11 item 6: the default cart is opened by the first change sent to it, under an id kept
// for the profile. A fresh device that syncs an account pushes no empty cart of its own, and
// every tab of the profile shows the same cart.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/server/token.ts';
import { baseUrl, eventually, itemAt, skusAt, switcherIds, textOf, useBrowser } from './cart-page.ts';
import { launchChromium } from './browser.ts';

const secret = inject('syncSecret');
const browser = useBrowser();

async function syncWith(page: Page, token: string) {
  await page.evaluate((value) => localStorage.setItem('cartlog:sync', JSON.stringify(value)), { url: baseUrl, token });
  await page.reload();
  await eventually(async () => `${await page.getByTestId('sync-status').getAttribute('data-state')}/${await page.getByTestId('sync-status').getAttribute('data-pending')}`).toBe('synced/0');
}

describe('the default cart', () => {
  it('is the same cart in every tab of the profile, and opened once by the first add', async () => {
    const page = await browser.open();
    const id = await page.getByTestId('cart-switcher').inputValue();
    const other = await browser.context().newPage();
    await other.goto(baseUrl);
    await other.getByTestId('cart-status').waitFor();
    expect(await other.getByTestId('cart-switcher').inputValue()).toBe(id);

    const [sku] = (await skusAt(page, [3])) as [string];
    await itemAt(page, sku).getByTestId('add-to-cart').click();
    await textOf(other.getByTestId('cart-count')).toBe('1');
    expect(await switcherIds(other)).toEqual([id]);
  });

  it('is not pushed by a fresh device until it is changed', async () => {
    const token = await mintToken(`e2e-default-${randomUUID()}`, secret);
    const first = await browser.open();
    await syncWith(first, token);
    const untouched = await first.getByTestId('cart-switcher').inputValue();

    // A second device of the same account sees none of the first one's untouched cart.
    const chromium = await launchChromium();
    try {
      const context = await chromium.newContext();
      const second = await context.newPage();
      await second.goto(baseUrl);
      await second.getByTestId('cart-status').waitFor();
      await syncWith(second, token);
      const own = await second.getByTestId('cart-switcher').inputValue();
      expect(own).not.toBe(untouched);
      expect(await switcherIds(second)).toEqual([own]);

      // Once the first device adds, its cart reaches the second one, which shows it, with no
      // empty cart of its own beside it (CONTRACT §3).
      const [sku] = (await skusAt(first, [7])) as [string];
      await itemAt(first, sku).getByTestId('add-to-cart').click();
      await eventually(() => switcherIds(second)).toEqual([untouched]);
      await eventually(() => second.getByTestId('cart-switcher').inputValue()).toBe(untouched);
      await eventually(() => second.getByTestId('cart-count').textContent()).toBe('1');
    } finally {
      await chromium.close();
    }
  });
});
