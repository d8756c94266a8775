// The panel's reactive timeline in Node: it follows the store (new events from any writer show
// up as rows) and every step is visible through its getters.
import { describe, expect, it, vi } from 'vitest';
import { catalog } from '../../../src/cart/index.ts';
import { followTimeline } from '../../../src/ui/history/followed-timeline.svelte.ts';
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
    expect(timeline.changes.map((c) => c.kind)).toEqual(['line-added', 'total']);
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
});
