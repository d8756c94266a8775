// The stored outbox is the truth (DESIGN "Sync invariants"): a change another tab of the device
// committed reaches the server even when that tab's cross-tab message never arrived (it closed
// right after its commit). Tabs are separate store instances on one database, as in a browser.
import { describe, expect, it, vi } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import { openCarts, type Carts } from '../../src/cart/carts.ts';
import { newUser, openDevice, token, trackTab, useServer } from './helpers.ts';

const milk = catalog[0]!.sku;

const server = useServer();

/** Another tab on the device's database whose messages to the other tabs are all lost. */
async function silentTab(of: Carts): Promise<Carts> {
  const channel = globalThis.BroadcastChannel;
  // The store reads the global when it opens: without it, it tells no other tab of its commits.
  delete (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
  try {
    const carts = await openCarts({ name: of.store.name, deviceId: of.deviceId });
    trackTab({ carts });
    return carts;
  } finally {
    globalThis.BroadcastChannel = channel;
  }
}

async function account() {
  const userId = newUser();
  return { userId, token: await token(userId), url: server().url };
}

const streamsUpstream = async (userId: string) => (await server().pullAll(userId)).map((e) => e.streamId);

describe('the outbox is the truth', () => {
  it('"sync now" pushes a change of a tab whose message was lost', async () => {
    const me = await account();
    const device = await openDevice(me);
    expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });

    const other = await silentTab(device.carts);
    const cartId = await other.openCart('From a tab that closed at once');
    await other.execute(cartId, { type: 'AddItem', data: { sku: milk, quantity: 2 } });

    expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    expect(await streamsUpstream(me.userId)).toEqual([cartId, cartId]);
  });

  it('a running leader pushes such a change within 5 s, in the middle of a long poll', async () => {
    const me = await account();
    const device = await openDevice({ ...me, longPollSeconds: 25 });
    device.engine.start();
    await vi.waitFor(() => expect(device.engine.status.get()).toEqual({ state: 'synced', pending: 0 }));

    const other = await silentTab(device.carts);
    const cartId = await other.openCart('Late at night');
    await vi.waitFor(async () => expect(await streamsUpstream(me.userId)).toEqual([cartId]), { timeout: 5000, interval: 200 });
    await vi.waitFor(() => expect(device.engine.status.get()).toEqual({ state: 'synced', pending: 0 }));
  });
});
