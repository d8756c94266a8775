// Past orders (issue 11 item 4): checked-out and archived carts, newest first; opening one shows
// it read-only with its receipt; Buy again starts a new cart with its lines. With 1,000 orders,
// a change to the open cart touches none of the orders' rows (no full re-render per change).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually, itemAt, lineOf, openHistory, skusAt, textOf, useBrowser, valueOf } from './cart-page.ts';

const browser = useBrowser();

describe('past orders', () => {
  it('lists orders newest first; one opens read-only with its receipt; Buy again copies its lines into a new cart', async () => {
    const page = await browser.open();
    const [a, b] = (await skusAt(page, [2, 22])) as [string, string];
    await itemAt(page, a).getByTestId('add-to-cart').click();
    await itemAt(page, a).getByTestId('add-to-cart').click();
    await itemAt(page, b).getByTestId('add-to-cart').click();
    await textOf(page.getByTestId('cart-count')).toBe('3');
    const first = await page.getByTestId('cart-switcher').inputValue();
    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');

    await page.getByTestId('new-cart').click();
    await itemAt(page, b).getByTestId('add-to-cart').click();
    const second = await page.getByTestId('cart-switcher').inputValue();
    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    await page.getByTestId('cart-archive').click();
    await page.getByTestId('archive-confirm').click();
    await eventually(() => page.getByTestId('past-order').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-cart')))).toEqual([second, first]);

    await page.locator(`[data-testid="past-order"][data-cart="${first}"]`).click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    await textOf(page.getByTestId('order-summary')).toMatch(/Order placed[\s\S]*3\s+items/);
    expect(await page.getByTestId('cart-switcher').inputValue()).toBe('');
    expect(await lineOf(page, a).getByTestId('qty-inc').count()).toBe(0);
    expect(await lineOf(page, a).getByTestId('line-qty').getAttribute('readonly')).not.toBeNull();
    await openHistory(page);
    await eventually(() => page.getByTestId('history-event').count()).toBe(5);
    await page.getByTestId('history-toggle').click();

    // The archived one opens too, and stays on show (it is not moved away from).
    await page.locator(`[data-testid="past-order"][data-cart="${second}"]`).click();
    await textOf(page.getByTestId('cart-status')).toBe('archived');

    await page.locator(`[data-testid="past-order"][data-cart="${first}"]`).click();
    await page.getByRole('button', { name: 'Buy again' }).click();
    await textOf(page.getByTestId('cart-status')).toBe('open');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('2');
    await valueOf(lineOf(page, b).getByTestId('line-qty')).toBe('1');
    expect([first, second]).not.toContain(await page.getByTestId('cart-switcher').inputValue());
  });

  it('with 1,000 orders the list shows the newest few, and a change to the cart re-renders none of them', async () => {
    const page = await browser.open();
    const [sku] = (await skusAt(page, [5])) as [string];
    const device = randomUUID();
    const lines: string[] = [];
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 1000; i++) {
      const streamId = `cart-${randomUUID()}`;
      const at = (k: number) => new Date(start + i * 60_000 + k * 1000).toISOString();
      const meta = (k: number) => ({ at: at(k), deviceId: device, commandId: randomUUID() });
      lines.push(
        JSON.stringify({ id: randomUUID(), streamId, version: 1, type: 'CartOpened', schemaVersion: 1, data: { name: `Order ${i}` }, meta: meta(0) }),
        JSON.stringify({ id: randomUUID(), streamId, version: 2, type: 'ItemAdded', schemaVersion: 1, data: { sku, name: 'Thing', unitPrice: 100, quantity: 1 }, meta: meta(1) }),
        JSON.stringify({ id: randomUUID(), streamId, version: 3, type: 'CartCheckedOut', schemaVersion: 1, data: { total: 100, itemCount: 1 }, meta: meta(2) }),
      );
    }
    const header = JSON.stringify({ format: 'cartlog', formatVersion: 1, exportedAt: new Date().toISOString(), eventCount: lines.length });
    // The fresh profile's cart is not opened yet: the panel has no rows, but its import is there.
    await page.getByTestId('history-toggle').click();
    await page.getByTestId('history-import').setInputFiles({ name: 'orders.cartlog.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from([header, ...lines].join('\n') + '\n') });
    await page.getByTestId('sandbox-banner').waitFor();
    await page.getByTestId('history-toggle').click();

    await eventually(() => page.getByTestId('past-order').count()).toBe(3);
    await textOf(page.getByTestId('past-order').first()).toMatch(/Order 999/);
    await textOf(page.getByRole('button', { name: 'Show all 1000' })).toBe('Show all 1000');

    // Count what changes inside the list while the open cart takes an add.
    await page.getByTestId('past-orders').evaluate((list) => {
      const seen: MutationRecord[] = [];
      new MutationObserver((records) => seen.push(...records)).observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
      (window as unknown as { pastOrderMutations: MutationRecord[] }).pastOrderMutations = seen;
    });
    await itemAt(page, sku).getByTestId('add-to-cart').click();
    await textOf(page.getByTestId('cart-count')).toBe('1');
    await itemAt(page, sku).getByTestId('add-to-cart').click();
    await textOf(page.getByTestId('cart-count')).toBe('2');
    expect(await page.evaluate(() => (window as unknown as { pastOrderMutations: MutationRecord[] }).pastOrderMutations.length)).toBe(0);
  });
});
