// The page's list of rejected changes, followed without a live query (src/ui/sync/rejected-follow.ts),
// in Node on the real store with two tabs of one profile: a rejection written in the tab that syncs,
// a dismissal in another, and a rename of the cart a row names all reach every tab's list.
import { afterEach, expect, it, vi } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { catalog, openCarts, type Carts } from '../../src/cart/index.ts';
import { deleteEventStore } from '../../src/es/index.ts';
import { dismissRejected, listRejected, reject } from '../../src/sync/client/rows.ts';
import { followRejected } from '../../src/ui/sync/rejected-follow.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000f011';
const opened: Carts[] = [];
const stops: (() => void)[] = [];

afterEach(async () => {
  stops.splice(0).forEach((stop) => stop());
  const names = new Set(opened.map((carts) => carts.store.name));
  opened.splice(0).forEach((carts) => carts.close());
  for (const name of names) await deleteEventStore(name);
});

async function tab(name: string): Promise<Carts> {
  const carts = await openCarts({ name, deviceId: DEVICE });
  opened.push(carts);
  return carts;
}

/** A tab's list as its page would show it: each row with its cart's name now. */
function follow(carts: Carts) {
  const seen: { lists: { commandId: string; cartName: string }[][]; errors: unknown[] } = { lists: [], errors: [] };
  const read = async () => {
    const rows = await listRejected(carts.store);
    const views = await Promise.all(rows.map((row) => carts.view(row.cartId)));
    return rows.map((row, i) => ({ commandId: row.commandId, cartId: row.cartId, cartName: views[i]?.name ?? '?' }));
  };
  stops.push(followRejected(carts.store, read, { onChange: (items) => seen.lists.push(items), onError: (error) => seen.errors.push(error) }));
  return { latest: () => seen.lists.at(-1)?.map(({ commandId, cartName }) => ({ commandId, cartName })), seen };
}

it('shows a rejection, a dismissal from another tab and a renamed cart in every tab', async () => {
  const name = uniqueName();
  const [syncing, other] = [await tab(name), await tab(name)];
  const cartId = await syncing.openCart('Party');
  const [one, two] = [follow(syncing), follow(other)];
  await vi.waitFor(() => expect([one.latest(), two.latest()]).toEqual([[], []]));

  const commandId = uuidv7();
  const at = new Date().toISOString();
  await reject(syncing.store, undefined, { commandId, cartId, command: { type: 'AddItem', data: { sku: 'APL-001', quantity: 1 } }, reason: 'The cart was checked out.', code: 'cart_checked_out', at });
  await vi.waitFor(() => expect(two.latest()).toEqual([{ commandId, cartName: 'Party' }]));
  expect(one.latest()).toEqual([{ commandId, cartName: 'Party' }]);

  // The row names its cart: a rename (here, in the other tab) is read again.
  await other.execute(cartId, { type: 'RenameCart', data: { name: 'Picnic' } });
  await vi.waitFor(() => expect(one.latest()).toEqual([{ commandId, cartName: 'Picnic' }]));

  await dismissRejected(other.store, commandId);
  await vi.waitFor(() => expect(one.latest()).toEqual([]));
  expect(two.latest()).toEqual([]);
  expect([one.seen.errors, two.seen.errors]).toEqual([[], []]);
});

it('does not read again for a change to a cart none of its rows names', async () => {
  const carts = await tab(uniqueName());
  const cartId = await carts.openCart('Party');
  const list = follow(carts);
  await vi.waitFor(() => expect(list.latest()).toEqual([]));
  const reads = list.seen.lists.length;
  await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 1 } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(list.seen.lists.length).toBe(reads);
});
