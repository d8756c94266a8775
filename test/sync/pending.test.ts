// The pending count (data-pending): recounted for the streams a change touched, settled() waits
// for what was asked so far, and a closed count reads nothing more. (Issue 12 tried recounting in
// the task after the change, off the click's path: ui.appendToDom's commit → DOM did not move.)
import { afterEach, describe, expect, it } from 'vitest';
import { catalog, openCarts, type Carts } from '../../src/cart/index.ts';
import { deleteEventStore } from '../../src/es/index.ts';
import { countPending } from '../../src/sync/client/pending.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000d0b1';
const SKU = catalog[0]!.sku;

describe('the pending count', () => {
  const opened: Carts[] = [];
  afterEach(async () => {
    for (const carts of opened.splice(0)) {
      carts.close();
      await deleteEventStore(carts.store.name);
    }
  });
  async function fresh() {
    const carts = await openCarts({ name: uniqueName('pending'), deviceId: DEVICE });
    opened.push(carts);
    return carts;
  }

  it('counts what a command appended once settled, asked right after the command', async () => {
    const carts = await fresh();
    let told = 0;
    const count = countPending(carts.store, () => told++);
    await count.settled();
    expect(count.pending).toBe(0);
    const cartId = await carts.openCart('Pending');
    await carts.execute(cartId, { type: 'AddItem', data: { sku: SKU, quantity: 1 } });
    await count.settled();
    expect(count.pending).toBe(2);
    expect(told).toBeGreaterThan(0);
    // Changes told in one task are recounted together, each stream counted once.
    const other = await carts.openCart('Other');
    await Promise.all([carts.execute(cartId, { type: 'AddItem', data: { sku: SKU, quantity: 1 } }), carts.execute(other, { type: 'AddItem', data: { sku: SKU, quantity: 1 } })]);
    await count.settled();
    expect(count.pending).toBe(5);
    await carts.store.confirm([{ streamId: cartId, version: 1, position: 1 }]);
    await count.settled();
    expect(count.pending).toBe(4);
    count.close();
  });

  it('counts a database it opens on from its indexes: own pending events, and other accounts\' carts apart', async () => {
    const carts = await fresh();
    const add = (cartId: string) => carts.execute(cartId, { type: 'AddItem', data: { sku: SKU, quantity: 1 } });
    const mine = await carts.openCart('Mine');
    await add(mine); // 2 pending
    const synced = await carts.openCart('Synced');
    await carts.store.confirm([{ streamId: synced, version: 1, position: 1 }]);
    const theirs = await carts.openCart('Theirs');
    await add(theirs);
    await carts.store.markForeign(theirs, 'another account');
    const idle = await carts.openCart('Theirs, synced');
    await carts.store.confirm([{ streamId: idle, version: 1, position: 2 }]);
    await carts.store.markForeign(idle, 'another account');

    const count = countPending(carts.store, () => {});
    await count.settled();
    expect([count.pending, count.foreign]).toEqual([2, 2]);
    await carts.store.markForeign(mine, 'another account');
    await count.refresh(); // every stream, as after a change that names none
    expect([count.pending, count.foreign]).toEqual([0, 3]);
    count.close();
  });

  it('settles when closed right after a change, and tells nothing more', async () => {
    const carts = await fresh();
    let told = 0;
    const count = countPending(carts.store, () => told++);
    await count.settled();
    const before = told;
    await carts.openCart('Closing');
    count.close();
    await count.settled();
    expect(told).toBe(before);
  });
});
