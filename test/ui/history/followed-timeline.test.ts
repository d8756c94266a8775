// The panel's reactive timeline in Node: it follows the store (new events from any writer show
// up as rows) and every step is visible through its getters.
import { describe, expect, it, vi } from 'vitest';
import { catalog } from '../../../src/cart/index.ts';
import { v7 as uuidv7 } from 'uuid';
import { FIRST_ROWS, followTimeline } from '../../../src/ui/history/followed-timeline.svelte.ts';
import { openTimeline } from '../../../src/ui/history/timeline.ts';
import { cartHistory } from '../../bench/fixtures.ts';
import { useCarts } from './fixtures.ts';

const fresh = useCarts('followed');

async function cart() {
  const carts = await fresh.open();
  const cartId = await carts.openCart('Weekly');
  await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 2 } });
  await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[1]!.sku, quantity: 1 } });
  return { carts, cartId };
}

describe('followTimeline', () => {
  it('opens at a deep link’s version and shows each step', async () => {
    const { carts, cartId } = await cart();
    const timeline = await followTimeline(carts, cartId, 2);
    expect([timeline.position, timeline.length, timeline.atPresent]).toEqual([2, 3, false]);
    expect(timeline.shown?.lines.map((l) => l.sku)).toEqual([catalog[0]!.sku]);
    expect(timeline.changes?.map((c) => c.kind)).toEqual(['line-added', 'total']);
    timeline.step(-2);
    expect([timeline.position, timeline.shown, timeline.changes]).toEqual([0, undefined, []]);
    timeline.step(-1);
    expect(timeline.position).toBe(0);
    timeline.present();
    timeline.toggleSkip(2);
    expect(timeline.skipped).toEqual(new Set([2]));
    expect(timeline.shown?.lines.map((l) => l.sku)).toEqual([catalog[1]!.sku]);
    timeline.clearSkips();
    expect(timeline.atPresent).toBe(true);
    timeline.close();
  });

  it('follows events written after it opened, and stops following once closed', async () => {
    const { carts, cartId } = await cart();
    const timeline = await followTimeline(carts, cartId);
    await carts.execute(cartId, { type: 'RemoveItem', data: { sku: catalog[1]!.sku } });
    await vi.waitFor(() => expect(timeline.length).toBe(4));
    expect(timeline.position).toBe(4);
    expect(timeline.events.map((e) => e.type)).toEqual(['CartOpened', 'ItemAdded', 'ItemAdded', 'ItemRemoved']);

    timeline.seek(1);
    await carts.execute(cartId, { type: 'ClearCart', data: {} });
    await vi.waitFor(() => expect(timeline.length).toBe(5));
    expect(timeline.position).toBe(1);

    timeline.close();
    await carts.execute(cartId, { type: 'RenameCart', data: { name: 'Later' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(timeline.length).toBe(5);
  });

  it('restores and shows the present', async () => {
    const { carts, cartId } = await cart();
    const timeline = await followTimeline(carts, cartId, 2);
    await timeline.restore();
    expect(timeline.atPresent).toBe(true);
    expect(timeline.length).toBe(4);
    expect(timeline.shown?.lines.map((l) => l.sku)).toEqual([catalog[0]!.sku]);
    timeline.close();
  });

  it('shows a long cart’s newest rows at once, then the whole log at a deep link’s version', async () => {
    const carts = await fresh.open();
    const cartId = `cart-${uuidv7()}`;
    await carts.store.appendBulk(cartHistory(cartId, 2_000, 20));
    const timeline = await followTimeline(carts, cartId, 5);
    expect([timeline.complete, timeline.length, timeline.atPresent, timeline.rowsFrom]).toEqual([false, 2_000, true, 2_000 - FIRST_ROWS + 1]);
    expect(timeline.shown).toEqual(await carts.view(cartId));
    await vi.waitFor(() => expect(timeline.complete).toBe(true));
    expect([timeline.position, timeline.rowsFrom, timeline.events.length]).toEqual([5, 1, 2_000]);
    expect(timeline.shown?.version).toBe(5);
    // At the present, its diff comes once the fold before it is done (in slices): the plain one.
    timeline.present();
    const plain = await openTimeline(carts, cartId);
    await vi.waitFor(() => expect(timeline.changes).toEqual(plain.diff(2_000)));
    expect(timeline.changes?.length).toBeGreaterThan(0);
    // Then it follows the store as any timeline does.
    await carts.execute(cartId, { type: 'ClearCart', data: {} });
    await vi.waitFor(() => expect(timeline.length).toBe(2_001));
    timeline.close();
  });

  it('says so when the rest of a long cart’s log cannot be read, instead of reading for ever', async () => {
    const carts = await fresh.open();
    const cartId = `cart-${uuidv7()}`;
    await carts.store.appendBulk(cartHistory(cartId, 2_000, 20));
    const use = carts.store.use.bind(carts.store);
    let calls = 0;
    vi.spyOn(carts.store, 'use').mockImplementation(((work: Parameters<typeof use>[0]) =>
      ++calls === 2 ? Promise.reject(new Error('the disk went away')) : use(work)) as typeof use);
    const timeline = await followTimeline(carts, cartId);
    expect(timeline.complete).toBe(false);
    await vi.waitFor(() => expect(timeline.readError).toBe('the disk went away'));
    expect(timeline.complete).toBe(false);
    timeline.close();
  });
});
