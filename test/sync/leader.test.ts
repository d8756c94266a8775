// The running engine: one leader tab per database (Web Locks), followers that show its state and
// ask it to sync, and a leader that resumes at once when the browser is back online.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import { openCarts, type Carts } from '../../src/cart/carts.ts';
import { createSyncEngine, type Connectivity, type SyncEngine } from '../../src/sync/client/index.ts';
import { closeDevices, fakeLocks, flakyFetch, newUser, openDevice, startServer, token, type TestServer } from './helpers.ts';

const milk = catalog[0]!.sku;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

const opened: { engine: SyncEngine; carts: Carts }[] = [];
afterEach(async () => {
  for (const tab of opened.splice(0)) {
    await tab.engine.stop();
    tab.carts.close();
  }
  await closeDevices();
});

async function account() {
  const userId = newUser();
  return { userId, token: await token(userId), url: server.url };
}

describe('running sync engine', () => {
  it('talks to the server from one tab only; the others follow its state, and one takes over', async () => {
    const me = await account();
    const device = await openDevice(me);
    const locks = fakeLocks();
    const tabs = [];
    for (let i = 0; i < 2; i++) {
      const carts = i === 0 ? device.carts : await openCarts({ name: device.carts.store.name, deviceId: device.carts.deviceId });
      const cut = flakyFetch();
      const engine = createSyncEngine({ carts, ...me, fetch: cut.fetch, locks, longPollSeconds: 1 });
      if (i > 0) opened.push({ engine, carts });
      else device.engine = engine;
      tabs.push({ carts, cut, engine });
    }
    const [leader, follower] = tabs as [(typeof tabs)[0], (typeof tabs)[0]];
    leader.engine.start();
    follower.engine.start();

    const cartId = await follower.carts.openCart('From the second tab');
    await vi.waitFor(async () => expect((await follower.carts.store.readStream(cartId))[0]?.position).toBeTypeOf('number'), { timeout: 3000 });
    await vi.waitFor(() => expect(follower.engine.status.get()).toEqual({ state: 'synced', pending: 0 }));
    expect(follower.cut.requests).toEqual([]);
    expect(leader.cut.requests).toContain('POST /v1/push');
    expect((await server.pullAll(me.userId)).map((e) => e.streamId)).toEqual([cartId]);

    // A follower's "sync now" is the leader's to do.
    const before = leader.cut.requests.length;
    await follower.engine.syncNow();
    await vi.waitFor(() => expect(leader.cut.requests.length).toBeGreaterThan(before));
    expect(follower.cut.requests).toEqual([]);

    await leader.engine.stop();
    await follower.carts.execute(cartId, { type: 'AddItem', data: { sku: milk, quantity: 1 } });
    await vi.waitFor(async () => expect((await follower.carts.store.readStream(cartId))[1]?.position).toBeTypeOf('number'), { timeout: 3000 });
    expect(follower.cut.requests).toContain('POST /v1/push');
  });

  it('tells following tabs when a cart turns out to be another account’s', async () => {
    const first = await account();
    const device = await openDevice(first);
    const cartId = await device.carts.openCart('First account');
    await device.engine.syncNow();
    await device.engine.stop();

    const second = await account();
    const locks = fakeLocks();
    const follower = await openCarts({ name: device.carts.store.name, deviceId: device.carts.deviceId });
    device.engine = createSyncEngine({ carts: device.carts, ...second, locks, longPollSeconds: 1 });
    const following = createSyncEngine({ carts: follower, ...second, locks, longPollSeconds: 1 });
    opened.push({ engine: following, carts: follower });
    device.engine.start();
    following.start();
    await follower.execute(cartId, { type: 'RenameCart', data: { name: 'Still the first account’s' } });
    await vi.waitFor(() => expect(following.status.get()).toMatchObject({ state: 'synced', pending: 0, reason: expect.stringMatching(/another account/) }), {
      timeout: 3000,
    });
  });

  it('resumes at once when the browser says it is online again', async () => {
    const me = await account();
    const cut = flakyFetch();
    const online = new Set<(online: boolean) => void>();
    const connectivity: Connectivity = {
      subscribe(listener) {
        online.add(listener);
        return () => online.delete(listener);
      },
    };
    // A backoff far longer than the test: only the online event can bring it back in time.
    const device = await openDevice({ ...me, fetch: cut.fetch, connectivity, backoff: { minMs: 600_000, maxMs: 600_000 } });
    await device.carts.openCart('On the train');
    cut.down = true;
    device.engine.start();
    await vi.waitFor(() => expect(device.engine.status.get()).toMatchObject({ state: 'offline', pending: 1 }));

    cut.down = false;
    online.forEach((listener) => listener(true));
    await vi.waitFor(() => expect(device.engine.status.get()).toEqual({ state: 'synced', pending: 0 }), { timeout: 3000 });

    online.forEach((listener) => listener(false));
    expect(device.engine.status.get()).toMatchObject({ state: 'offline', reason: expect.stringMatching(/offline/) });
  });

  it('honours Retry-After on 429', async () => {
    const me = await account();
    let refusals = 0;
    const device = await openDevice({
      ...me,
      // Only the server's word can bring it back in time, not the (far longer) backoff.
      backoff: { minMs: 600_000, maxMs: 600_000 },
      fetch: async (url, init) => {
        if (refusals++ > 0) return fetch(url, init);
        return new Response(JSON.stringify({ error: 'rate_limited', message: 'Slow down.' }), { status: 429, headers: { 'retry-after': '1' } });
      },
    });
    await device.carts.openCart('Busy');
    device.engine.start();
    await vi.waitFor(() => expect(device.engine.status.get()).toMatchObject({ state: 'syncing', reason: 'Slow down.' }));
    await vi.waitFor(() => expect(device.engine.status.get()).toEqual({ state: 'synced', pending: 0 }), { timeout: 3000 });
  });
});
