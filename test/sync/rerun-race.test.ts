// Where Web Locks are missing (a plain-HTTP LAN origin) every tab leads, so several sync engines
// on one database finish the same rebase at once. A pending command re-run by all of them must
// still be applied once (DESIGN "Sync invariants": the re-run is idempotent by its commandId
// inside the command's own transaction).
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import type { Carts } from '../../src/cart/carts.ts';
import { markRebasing } from '../../src/sync/client/rows.ts';
import { newUser, openDevice, openTab, streamOf, token, useServer } from './helpers.ts';

const skus = catalog.map((p) => p.sku);
const TABS = 3;
const ROUNDS = 6;

const server = useServer();

/** Two devices sharing one cart; B has TABS tabs, each with its own engine and no lock. */
async function devices() {
  const userId = newUser();
  const me = { url: server().url, token: await token(userId) };
  const [a, b] = [await openDevice(me), await openDevice(me)];
  const cartId = await a.carts.openCart('Shared');
  await a.engine.syncNow();
  await b.engine.syncNow();
  const tabs = [b.engine];
  for (let i = 1; i < TABS; i++) tabs.push((await openTab(b.carts, me)).engine);
  for (const engine of tabs) await engine.syncNow();
  return { userId, a, b, cartId, tabs };
}

const quantities = (carts: Carts, cartId: string) => carts.view(cartId).then((view) => new Map(view!.lines.map((l) => [l.sku, l.quantity])));

describe('a rebase raced by every tab of a device', () => {
  it('applies a re-run command once when every tab finishes the same rebase', async () => {
    const { a, b, cartId, tabs } = await devices();
    await a.carts.execute(cartId, { type: 'AddItem', data: { sku: skus[0]!, quantity: 1 } });
    await a.engine.syncNow();
    await b.carts.execute(cartId, { type: 'AddItem', data: { sku: skus[1]!, quantity: 1 } });
    // B's pending tail was dropped for upstream's events; its command waits to be decided again.
    await markRebasing(b.carts.store, cartId);
    await b.carts.store.rebase(cartId, (await a.carts.store.readStream(cartId)).slice(1));

    await Promise.all(tabs.map((engine) => engine.syncNow()));
    for (const engine of tabs) expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await a.engine.syncNow();
    const expected = new Map([
      [skus[0]!, 1],
      [skus[1]!, 1],
    ]);
    expect(await quantities(b.carts, cartId)).toEqual(expected);
    expect(await quantities(a.carts, cartId)).toEqual(expected);
    expect((await b.carts.store.readStream(cartId)).map((e) => e.type)).toEqual(['CartOpened', 'ItemAdded', 'ItemAdded']);
  });

  it('applies each pending command once, over several rounds', async () => {
    const { userId, a, b, cartId, tabs } = await devices();

    const expected = new Map<string, number>();
    const add = async (carts: Carts, sku: string) => {
      await carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 1 } });
      expected.set(sku, (expected.get(sku) ?? 0) + 1);
    };
    for (let round = 0; round < ROUNDS; round++) {
      // The other device gets there first: B's pending change must be rebased onto it.
      await add(a.carts, skus[0]!);
      await a.engine.syncNow();
      await add(b.carts, skus[1 + (round % 3)]!);
      await add(b.carts, skus[0]!);
      await Promise.all(tabs.map((engine) => engine.syncNow()));
    }
    for (const engine of tabs) expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await a.engine.syncNow();

    expect(await quantities(b.carts, cartId)).toEqual(expected);
    expect(await quantities(a.carts, cartId)).toEqual(expected);
    expect(await streamOf(a.carts, cartId)).toEqual(await streamOf(b.carts, cartId));
    // One command, one event: no re-run added a second one under the same id.
    const upstream = await server().pullAll(userId);
    const perCommand = new Map<string, number>();
    for (const e of upstream) perCommand.set(e.meta.commandId, (perCommand.get(e.meta.commandId) ?? 0) + 1);
    expect([...perCommand.values()].filter((n) => n > 1)).toEqual([]);
    expect(await b.engine.rejected()).toEqual([]);
  });
});
