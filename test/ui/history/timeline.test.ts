// The history panel's logic against a real store in Node: scrub, what-if, diff, restore, undo,
// following new events, and deep links.
import { describe, expect, it, vi } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { catalog } from '../../../src/cart/index.ts';
import { cartViewProjection } from '../../../src/cart/projections.ts';
import { historyLink, parseHistoryLink } from '../../../src/ui/history/deep-link.ts';
import { eventWords, LOOK_BACK } from '../../../src/ui/history/event-words.ts';
import { openTimeline, undoLastChange } from '../../../src/ui/history/timeline.ts';
import { cartHistory } from '../../bench/fixtures.ts';
import { useCarts } from './fixtures.ts';

const [apple, bread] = [catalog[0]!, catalog[1]!];
const fresh = useCarts('timeline');
async function cartWithHistory() {
  const carts = await fresh.open();
  const cartId = await carts.openCart('Weekly'); // v1
  await carts.execute(cartId, { type: 'AddItem', data: { sku: apple.sku, quantity: 2 } }); // v2
  await carts.execute(cartId, { type: 'AddItem', data: { sku: bread.sku, quantity: 1 } }); // v3
  await carts.execute(cartId, { type: 'ChangeQuantity', data: { sku: apple.sku, quantity: 5 } }); // v4
  return { carts, cartId };
}

describe('timeline', () => {
  it('shows the cart as of any version and what each event changed', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId);
    expect(timeline.length).toBe(4);
    expect(timeline.atPresent).toBe(true);
    expect(timeline.view()).toEqual(await carts.view(cartId));
    timeline.seek(2);
    expect(timeline.atPresent).toBe(false);
    expect(timeline.view()?.lines.map((l) => [l.sku, l.quantity])).toEqual([[apple.sku, 2]]);
    expect(timeline.diff(4)).toEqual([
      { kind: 'quantity', sku: apple.sku, name: apple.name, from: 2, to: 5 },
      { kind: 'total', from: 2 * apple.unitPrice + bread.unitPrice, to: 5 * apple.unitPrice + bread.unitPrice },
    ]);
    expect(timeline.diff(1)).toEqual([{ kind: 'opened', name: 'Weekly' }]);
  });

  it('replays without skipped events, never touching the log', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId);
    timeline.toggleSkip(2);
    expect(timeline.atPresent).toBe(false);
    expect(timeline.view()?.lines.map((l) => [l.sku, l.quantity])).toEqual([[bread.sku, 1]]); // the change of an absent line does nothing
    expect(timeline.diff(2)).toEqual([]);
    timeline.clearSkips();
    expect(timeline.view()).toEqual(await carts.view(cartId));
    expect(await carts.store.streamVersion(cartId)).toBe(4);
  });

  it('restores the state shown as one command; history keeps every event', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId);
    timeline.seek(2);
    await timeline.restore();
    const now = await carts.view(cartId);
    expect(now?.lines.map((l) => [l.sku, l.quantity])).toEqual([[apple.sku, 2]]);
    expect(timeline.length).toBe(6); // ItemRemoved + ItemQuantityChanged appended
    expect(new Set(timeline.events.slice(4).map((e) => e.meta.commandId)).size).toBe(1);
  });

  it('after a restore shows the present: no skips, the last version', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId);
    timeline.seek(3);
    timeline.toggleSkip(2);
    await timeline.restore();
    expect(timeline.atPresent).toBe(true);
    expect(timeline.view()?.lines.map((l) => [l.sku, l.quantity])).toEqual([[bread.sku, 1]]);
  });

  it('reads each new event once, however many refreshes overlap', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId);
    await carts.execute(cartId, { type: 'RemoveItem', data: { sku: bread.sku } });
    await Promise.all([timeline.refresh(), timeline.refresh(), timeline.refresh()]);
    expect(timeline.events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
  });

  it('grows with new events, following only when at the present', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId);
    await carts.execute(cartId, { type: 'RemoveItem', data: { sku: bread.sku } });
    await timeline.refresh();
    expect([timeline.length, timeline.position]).toEqual([5, 5]);
    timeline.seek(3);
    await carts.execute(cartId, { type: 'RenameCart', data: { name: 'Party' } });
    await timeline.refresh();
    expect([timeline.length, timeline.position]).toEqual([6, 3]);
  });

  it('undoes the last change by appending its opposite', async () => {
    const { carts, cartId } = await cartWithHistory();
    await undoLastChange(carts, cartId);
    expect((await carts.view(cartId))?.lines.map((l) => [l.sku, l.quantity])).toEqual([[apple.sku, 2], [bread.sku, 1]]);
    expect(await carts.store.streamVersion(cartId)).toBe(5);
    const fresh = await carts.openCart('New');
    await expect(undoLastChange(carts, fresh)).rejects.toThrow(/no change to undo/);
  });
});

describe('timeline open (issue 12)', () => {
  it('shows the present from the persisted cart view, folding the past only when visited', async () => {
    const { carts, cartId } = await cartWithHistory();
    for (let i = 0; i < 20; i++) await carts.execute(cartId, { type: 'ChangeQuantity', data: { sku: bread.sku, quantity: 2 + i } });
    const evolve = vi.spyOn(cartViewProjection, 'evolve');
    try {
      const timeline = await openTimeline(carts, cartId);
      expect(timeline.length).toBe(24);
      expect(timeline.view()).toEqual(await carts.view(cartId));
      expect(evolve).not.toHaveBeenCalled();
      // The past is still the plain fold of the events before it.
      timeline.seek(3);
      expect(timeline.view()?.lines.map((l) => [l.sku, l.quantity])).toEqual([[apple.sku, 2], [bread.sku, 1]]);
      expect(evolve).toHaveBeenCalledTimes(3);
      timeline.toggleSkip(24);
      expect(timeline.view(24)?.lines.map((l) => [l.sku, l.quantity])).toEqual([[apple.sku, 5], [bread.sku, 20]]);
      timeline.clearSkips();
      expect(timeline.view(24)).toEqual(await carts.view(cartId));
    } finally {
      evolve.mockRestore();
    }
  });
});

describe('history deep link', () => {
  it('round-trips a cart and a version, and ignores anything else', () => {
    const cartId = `cart-${uuidv7()}`;
    expect(parseHistoryLink(historyLink({ cartId, at: 3 }))).toEqual({ cartId, at: 3 });
    expect(parseHistoryLink(historyLink({ cartId }))).toEqual({ cartId });
    expect(parseHistoryLink('#/history?cart=nope&at=2')).toBeUndefined();
    expect(parseHistoryLink(`#/history?cart=${cartId}&at=-1`)).toEqual({ cartId });
    expect(parseHistoryLink('#/other')).toBeUndefined();
  });
});

describe('timeline open of a long cart (issue 12: first rows first)', () => {
  const LENGTH = 1_000;
  async function longCart() {
    const carts = await fresh.open();
    const cartId = `cart-${uuidv7()}`;
    await carts.store.appendBulk(cartHistory(cartId, LENGTH, 20));
    return { carts, cartId };
  }

  it('holds its newest rows and the present first, then every event', async () => {
    const { carts, cartId } = await longCart();
    const timeline = await openTimeline(carts, cartId, { firstRows: 100 });
    expect([timeline.complete, timeline.length, timeline.position, timeline.atPresent]).toEqual([false, LENGTH, LENGTH, true]);
    expect(timeline.rowsFrom).toBe(LENGTH - 100 + 1);
    // The rows shown, and the look-back their words need; nothing older yet.
    const held = timeline.events.flatMap((event, index) => (event ? [index + 1] : []));
    expect([held[0], held.length]).toEqual([LENGTH - 100 - LOOK_BACK + 1, 100 + LOOK_BACK]);
    expect(timeline.view()).toEqual(await carts.view(cartId));
    const partialWords = Array.from({ length: 100 }, (_, i) => eventWords(timeline.events, LENGTH - 100 + i, String));

    await timeline.completed;
    expect([timeline.complete, timeline.rowsFrom, timeline.length, timeline.position]).toEqual([true, 1, LENGTH, LENGTH]);
    expect(timeline.events.map((event) => event.version)).toEqual(Array.from({ length: LENGTH }, (_, i) => i + 1));
    // A row says the same before and after the rest is read: its look-back was held.
    expect(Array.from({ length: 100 }, (_, i) => eventWords(timeline.events, LENGTH - 100 + i, String))).toEqual(partialWords);
    expect(timeline.view(3)?.lines).toHaveLength(2);
  });

  it('keeps a seek or a skip asked for before the rest is read, and applies it once it is', async () => {
    const { carts, cartId } = await longCart();
    const timeline = await openTimeline(carts, cartId, { firstRows: 100 });
    timeline.seek(3);
    timeline.toggleSkip(2);
    // Meanwhile the present stays shown: a past state needs every event before it.
    expect([timeline.position, timeline.atPresent, timeline.skipped.size, timeline.view(3)]).toEqual([LENGTH, true, 0, undefined]);
    await timeline.completed;
    expect([timeline.position, [...timeline.skipped]]).toEqual([3, [2]]);
    expect(timeline.view()?.lines).toHaveLength(1);
  });

  it('sees what was written while the rest was read, and restores only once it is held', async () => {
    const { carts, cartId } = await longCart();
    const timeline = await openTimeline(carts, cartId, { firstRows: 100 });
    await carts.execute(cartId, { type: 'ClearCart', data: {} });
    await timeline.refresh();
    expect([timeline.complete, timeline.length, timeline.position]).toEqual([true, LENGTH + 1, LENGTH + 1]);
    timeline.seek(LENGTH);
    await timeline.restore();
    expect((await carts.view(cartId))?.lines).toEqual(timeline.view(LENGTH)?.lines);
  });

  it('reads a short cart in one go', async () => {
    const { carts, cartId } = await cartWithHistory();
    const timeline = await openTimeline(carts, cartId, { firstRows: 100 });
    expect([timeline.complete, timeline.rowsFrom, timeline.length]).toEqual([true, 1, 4]);
  });
});
