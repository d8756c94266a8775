// A rebase and every read-model effect of it commit together (DESIGN "Sync invariants"): a tab
// that dies right after the rebase's first commit cannot leave the async popularity read model
// counting events the log no longer has.
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import type { Carts } from '../../src/cart/carts.ts';
import type { ProductPopularity } from '../../src/cart/projections.ts';
import { markRebasing } from '../../src/sync/client/rows.ts';
import { logOf, newUser, openDevice, openTab, token, useServer } from './helpers.ts';

const [milk, tea, eggs] = catalog.map((p) => p.sku) as [string, string, string];

const server = useServer();

/** From now on the tab dies at its next readwrite transaction but one: nothing after the first commits. */
function dieAfterOneCommit(carts: Carts) {
  const db = carts.store.db;
  const transaction = db.transaction.bind(db) as (...args: unknown[]) => unknown;
  let opened = 0;
  (db as { transaction: unknown }).transaction = (...args: unknown[]) => {
    if (args[0] === 'rw' && ++opened > 1) throw new Error('The tab was closed.');
    return transaction(...args);
  };
}

/** Adds and units per product, folded from the log itself: what the read model must say. */
async function popularityOf(carts: Carts) {
  const counts = new Map<string, [number, number]>();
  for (const e of await logOf(carts))
    if (e.type === 'ItemAdded') {
      const { sku, quantity } = e.data as { sku: string; quantity: number };
      const [adds, units] = counts.get(sku) ?? [0, 0];
      counts.set(sku, [adds + 1, units + quantity]);
    }
  return counts;
}

describe('rebase atomic with its read-model effects', () => {
  it('leaves popularity equal to the log when the tab dies right after the rebase', async () => {
    const userId = newUser();
    const me = { url: server().url, token: await token(userId) };
    const [a, b] = [await openDevice(me), await openDevice(me)];
    const cartId = await a.carts.openCart('Shared');
    await a.carts.execute(cartId, { type: 'AddItem', data: { sku: milk, quantity: 1 } });
    await a.engine.syncNow();
    await b.engine.syncNow();
    await a.carts.execute(cartId, { type: 'AddItem', data: { sku: tea, quantity: 1 } });
    await a.engine.syncNow();
    await b.carts.execute(cartId, { type: 'AddItem', data: { sku: eggs, quantity: 2 } });
    await b.carts.store.catchUp(); // popularity has counted B's pending eggs

    // B's sync drops its pending tail for A's tea, and the tab dies right after that commit.
    await markRebasing(b.carts.store, cartId);
    const upstream = (await a.carts.store.readStream(cartId)).slice(2);
    dieAfterOneCommit(b.carts);
    await b.carts.store.rebase(cartId, upstream).catch(() => {});
    b.carts.close();

    // Reloaded: the sync finishes the rebase (eggs decided again) and popularity catches up.
    const { carts, engine } = await openTab(b.carts, me);
    expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await carts.store.catchUp();

    const rows = await carts.store.listRows<ProductPopularity>('popularity');
    const shown = new Map(rows.map((r) => [r.sku, [r.adds, r.unitsAdded]]));
    expect(shown).toEqual(await popularityOf(carts));
    expect(shown.get(eggs)).toEqual([1, 2]);
  });
});
