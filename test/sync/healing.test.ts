// Healing (CONTRACT §5 "Log identity", "Healing"): a server that lost what its devices hold is
// filled again by them — restored empty, moved to another address, restored from an older backup
// while another device pushed — every change ending confirmed or rejected with a reason; and a
// deleted user's devices stop with 401 and upload nothing. The real server, its real restarts.
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import type { Carts } from '../../src/cart/carts.ts';
import type { EventEnvelope } from '../../src/es/envelope.ts';
import { saveTarget } from '../../src/sync/client/index.ts';
import { closeDevices, flakyFetch, logOf, newUser, openDevice, openDevice as openAnyDevice, startServer, token, useServer, type Device, type TestServer } from './helpers.ts';

const [milk, bread, eggs, tea] = catalog.map((p) => p.sku) as [string, string, string, string];

const server = useServer();

async function account(on: TestServer = server()) {
  const userId = newUser();
  return { userId, token: await token(userId), url: on.url };
}

const add = (carts: Carts, cartId: string, sku: string, quantity = 1) => carts.execute(cartId, { type: 'AddItem', data: { sku, quantity } });
const byPosition = (events: EventEnvelope[]) => [...events].sort((x, y) => x.position! - y.position!);
const withoutPositions = (events: EventEnvelope[]) => events.map(({ position: _position, ...e }) => e).sort((x, y) => x.id.localeCompare(y.id));

/** Every device holds the server's log, event for event, and nothing is pending or stored twice. */
async function expectConverged(on: TestServer, userId: string, devices: Device[]) {
  const upstream = await on.pullAll(userId);
  expect(new Set(upstream.map((e) => e.id)).size).toBe(upstream.length);
  for (const device of devices) {
    expect(await device.engine.syncNow()).toMatchObject({ state: 'synced', pending: 0 });
    expect(byPosition(await logOf(device.carts))).toEqual(upstream);
  }
  return upstream;
}

// Once with the whole log in one pull page, once a few events per page: healing settles stream by
// stream as pages arrive, and a command's events may straddle two pages.
describe.each([{ pullLimit: 500 }, { pullLimit: 2 }])('healing a server that lost what its devices hold ($pullLimit events per pull)', ({ pullLimit }) => {
  const openDevice = (options: Parameters<typeof openAnyDevice>[0]) => openAnyDevice({ pullLimit, ...options });

  it('fills a server restored empty again from its devices, each event as it was', async () => {
    const me = await account();
    const [a, b] = [await openDevice(me), await openDevice(me)];
    const shared = await a.carts.openCart('Shared');
    await add(a.carts, shared, milk, 2);
    await a.engine.syncNow();
    await b.engine.syncNow();
    await add(b.carts, shared, bread);
    const bOwn = await b.carts.openCart('B only');
    await b.engine.syncNow();
    await a.engine.syncNow();
    const before = withoutPositions(await logOf(a.carts));

    await server().restore(); // an empty database: another log
    await add(a.carts, shared, eggs); // made while the server was gone
    await a.engine.syncNow();
    await b.engine.syncNow();
    const upstream = await expectConverged(server(), me.userId, [a, b]);

    // Pushed as they were: same ids, versions and content (nothing re-priced or renumbered).
    const now = withoutPositions(upstream);
    for (const event of before) expect(now).toContainEqual(event);
    expect(upstream).toHaveLength(before.length + 1);
    expect((await b.carts.view(shared))!.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [milk, 2],
      [bread, 1],
      [eggs, 1],
    ]);
    expect(await a.carts.view(bOwn)).toEqual(await b.carts.view(bOwn));
    expect(await a.engine.rejected()).toEqual([]);
    expect(await b.engine.rejected()).toEqual([]);
  });

  it('resumes a healing pass a crash interrupted, holding pushes back until it is done', async () => {
    const me = await account();
    const device = await openDevice(me);
    const cartId = await device.carts.openCart('Interrupted');
    await add(device.carts, cartId, milk, 3);
    await device.engine.syncNow();
    await server().restore();

    // The first pull shows the server parted from this device; the tab dies before the next one.
    const requests: string[] = [];
    let pulls = 0;
    const dying = async (url: string, init: RequestInit) => {
      requests.push(`${init.method ?? 'GET'} ${new URL(url).pathname}`);
      if (url.includes('/v1/pull') && ++pulls > 1) throw new TypeError('fetch failed');
      return fetch(url, init);
    };
    const engine = await device.reconnect({ fetch: dying });
    expect(await engine.syncNow()).toMatchObject({ state: 'offline', pending: 2 });
    expect(requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    expect((await device.carts.store.readStream(cartId)).map((e) => e.position)).toEqual([undefined, undefined]);

    const reloaded = await device.reconnect();
    expect(await reloaded.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await expectConverged(server(), me.userId, [device]);
    expect(await server().pullAll(me.userId)).toHaveLength(2);
  });

  it('heals when a push is answered at positions it holds as other events, before confirming any there', async () => {
    const me = await account();
    const device = await openDevice(me);
    const weekly = await device.carts.openCart('Weekly');
    await add(device.carts, weekly, milk);
    await device.engine.syncNow();
    const backup = await server().backup();
    await add(device.carts, weekly, eggs);
    await add(device.carts, weekly, bread);
    await device.engine.syncNow();
    const held = new Map((await logOf(device.carts)).map((e) => [e.position, e.id]));

    // Restored to an older backup: the same log, shorter. A new cart's events pushed now are
    // answered with positions this device holds for the eggs and bread — the head is back up to
    // where it was, so only the positions tell. The pull that would notice is lost.
    await server().restore(backup);
    const party = await device.carts.openCart('Party');
    await add(device.carts, party, tea);
    await add(device.carts, party, milk);
    const engine = await device.reconnect({ fetch: (url: string, init: RequestInit) => (url.includes('/v1/pull') ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init)) });
    await engine.syncNow();
    for (const e of await logOf(device.carts)) if (e.position !== undefined) expect(held.get(e.position) ?? e.id).toBe(e.id);

    expect(await (await device.reconnect()).syncNow()).toEqual({ state: 'synced', pending: 0 });
    await expectConverged(server(), me.userId, [device]);
  });

  it('uploads its carts to the server the sync address moved to', async () => {
    const other = await startServer();
    try {
      const me = await account();
      const device = await openDevice(me);
      const cartId = await device.carts.openCart('Moving house');
      await add(device.carts, cartId, tea, 3);
      await device.engine.syncNow();
      const held = await logOf(device.carts);

      const engine = await device.reconnect({ url: other.url });
      expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
      const moved = await other.pullAll(me.userId);
      expect(withoutPositions(moved)).toEqual(withoutPositions(held));
      expect(byPosition(await logOf(device.carts))).toEqual(moved);
    } finally {
      await closeDevices();
      await other.close();
    }
  });

  it('converges after a restore from an older backup while another device pushed: each change confirmed or rejected with a reason', async () => {
    const me = await account();
    const [a, b, c] = [await openDevice(me), await openDevice(me), await openDevice(me)];
    const cartId = await a.carts.openCart('Weekly');
    await add(a.carts, cartId, milk);
    for (const device of [a, b, c]) await device.engine.syncNow();
    const backup = await server().backup();

    // B's eggs reach the server and A; C does not see them before the restore.
    const { events: lost } = await add(b.carts, cartId, eggs, 2);
    await b.engine.syncNow();
    await a.engine.syncNow();
    expect((await a.carts.store.readStream(cartId)).at(-1)?.id).toBe(lost[0]!.id);

    await server().restore(backup);
    // C pushes first onto the restored server: the cart moved on without the eggs.
    await add(c.carts, cartId, tea);
    await c.engine.syncNow();
    const { events: pendingBefore } = await add(b.carts, cartId, bread); // pending on B while it heals

    await b.engine.syncNow();
    await a.engine.syncNow();
    const upstream = await expectConverged(server(), me.userId, [a, b, c]);

    const ids = new Set(upstream.map((e) => e.id));
    expect(ids.has(lost[0]!.id)).toBe(false);
    expect(upstream.some((e) => e.meta.commandId === pendingBefore[0]!.meta.commandId)).toBe(true); // decided again, on top
    const [rejected, ...more] = await b.engine.rejected();
    expect(more).toEqual([]);
    expect(rejected).toMatchObject({ commandId: lost[0]!.meta.commandId, cartId, code: 'lost_upstream' });
    expect(rejected!.reason).toMatch(/lost/);
    expect(await a.engine.rejected()).toEqual([]); // B's eggs were B's to report
    expect(await c.engine.rejected()).toEqual([]);
    const view = await a.carts.view(cartId);
    for (const device of [b, c]) expect(await device.carts.view(cartId)).toEqual(view);
    expect(view!.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [milk, 1],
      [tea, 1],
      [bread, 1],
    ]);
  });

  it('stops with 401 and uploads nothing after delete-user; a new token heals the new log', async () => {
    const me = await account();
    const device = await openDevice(me);
    const cartId = await device.carts.openCart('To be forgotten');
    await device.engine.syncNow();
    await server().deleteUser(me.userId);
    await add(device.carts, cartId, milk);

    const status = await device.engine.syncNow();
    expect(status).toMatchObject({ state: 'error', reason: expect.stringMatching(/token/) });
    expect(await server().pullAll(me.userId)).toEqual([]);

    const engine = await device.reconnect({ token: await token(me.userId) });
    expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    expect(byPosition(await logOf(device.carts))).toEqual(await server().pullAll(me.userId));
    expect(await server().pullAll(me.userId)).toHaveLength(2);
  });

  it('adopts the log of a device that synced before logs existed, when its check passes, uploading nothing', async () => {
    const me = await account();
    const device = await openDevice(me);
    const cartId = await device.carts.openCart('Old friend');
    await add(device.carts, cartId, bread);
    await device.engine.syncNow();
    // What a cursor from before logs looks like: a position, no log, no event id.
    const row = (await device.carts.store.db.readModels.get(['sync:cursor', '']))!;
    const { log, check: _check, ...old } = row.value as { log: string; check: string };
    await device.carts.store.db.readModels.put({ ...row, value: old });

    const cut = flakyFetch();
    const engine = await device.reconnect({ fetch: cut.fetch });
    expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    expect(cut.requests).toEqual(['GET /v1/pull']);
    expect(((await device.carts.store.db.readModels.get(['sync:cursor', '']))!.value as { log: string }).log).toBe(log);
  });
});

describe('a healing pass over many pages', () => {
  it('stores how far it settled and resumes there after a crash, not from 0', async () => {
    const other = await startServer();
    try {
      const me = await account();
      const [a, b] = [await openDevice({ ...me, pullLimit: 2 }), await openDevice({ ...me, pullLimit: 2 })];
      for (const name of ['One', 'Two', 'Three']) await add(a.carts, await a.carts.openCart(name), milk);
      await a.engine.syncNow();
      await b.engine.syncNow();
      // A moves to the other server first and uploads everything there.
      expect(await (await a.reconnect({ url: other.url })).syncNow()).toEqual({ state: 'synced', pending: 0 });

      // B moves too; its healing pull dies on the third page.
      const urls: string[] = [];
      let pulls = 0;
      const dying = async (url: string, init: RequestInit) => {
        if (url.includes('/v1/pull') && ++pulls > 2) throw new TypeError('fetch failed');
        urls.push(url);
        return fetch(url, init);
      };
      expect(await (await b.reconnect({ url: other.url, fetch: dying })).syncNow()).toMatchObject({ state: 'offline' });
      const resumed: string[] = [];
      const engine = await b.reconnect({
        url: other.url,
        fetch: (url, init) => {
          resumed.push(url);
          return fetch(url, init);
        },
      });
      expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
      expect(new URL(resumed[0]!).searchParams.get('after')).toBe('2'); // the first cart was settled
      expect(resumed.some((url) => url.includes('/v1/push'))).toBe(false); // the log had it all
      expect(byPosition(await logOf(b.carts))).toEqual(await other.pullAll(me.userId));
    } finally {
      await closeDevices();
      await other.close();
    }
  });
});

describe('healing one long cart', () => {
  it('moves its stored progress through a cart that spans many pages, so a crash resumes inside it', async () => {
    const other = await startServer();
    try {
      const me = await account();
      const [a, b] = [await openDevice({ ...me, pullLimit: 2 }), await openDevice({ ...me, pullLimit: 2 })];
      const cartId = await a.carts.openCart('Long');
      for (const sku of [milk, bread, eggs, tea, milk, bread]) await add(a.carts, cartId, sku);
      await a.engine.syncNow();
      await b.engine.syncNow();
      expect(await (await a.reconnect({ url: other.url })).syncNow()).toEqual({ state: 'synced', pending: 0 });

      // B heals onto the other server; its pull dies on the fourth page, inside the one cart.
      let pulls = 0;
      const dying = (url: string, init: RequestInit) => (url.includes('/v1/pull') && ++pulls > 3 ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init));
      expect(await (await b.reconnect({ url: other.url, fetch: dying })).syncNow()).toMatchObject({ state: 'offline' });
      const resumed: string[] = [];
      const engine = await b.reconnect({ url: other.url, fetch: (url, init) => (resumed.push(url), fetch(url, init)) });
      expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
      // Three pages came in (1, 2 and 2 events: a pass starts with smaller pages): the commands
      // among them whose stored pages they complete (1, 2-3) are settled, not pulled again.
      expect(Number(new URL(resumed[0]!).searchParams.get('after'))).toBeGreaterThanOrEqual(3);
      expect(resumed.some((url) => url.includes('/v1/push'))).toBe(false);
      expect(byPosition(await logOf(b.carts))).toEqual(await other.pullAll(me.userId));
    } finally {
      await closeDevices();
      await other.close();
    }
  });
});

describe('switching accounts on one device', () => {
  it('never pushes a cart under another account than the one it synced with, and takes it up again on switching back', async () => {
    const [x, y] = [await account(), await account()];
    const device = await openDevice(x);
    const xCart = await device.carts.openCart('X’s');
    await device.engine.syncNow();

    let engine = await device.reconnect({ token: y.token });
    await add(device.carts, xCart, bread); // made while signed in as Y
    const yCart = await device.carts.openCart('Y’s');
    expect(await engine.syncNow()).toMatchObject({ state: 'synced', pending: 0, reason: expect.stringMatching(/another account/) });
    expect((await server().pullAll(y.userId)).map((e) => e.streamId)).toEqual([yCart]);

    engine = await device.reconnect({ token: x.token });
    expect(await engine.syncNow()).toMatchObject({ state: 'synced', pending: 0 });
    expect(new Set((await server().pullAll(x.userId)).map((e) => e.streamId))).toEqual(new Set([xCart]));
    expect(await server().pullAll(x.userId)).toHaveLength(2);
    expect((await server().pullAll(y.userId)).map((e) => e.streamId)).toEqual([yCart]);
    expect((await device.carts.store.db.streams.get(yCart))?.foreign).toMatch(/another account/);
  });
});

describe('switching accounts in the middle of a heal', () => {
  it('never uploads a cart of the account that was healing into the account signed in next', async () => {
    const [alice, bob] = [await account(), await account()];
    const net = flakyFetch();
    let pullsLeft = Infinity;
    // The network drops right after the pull that showed the server lost alice's log.
    const fetchUntilDown = (url: string, init: RequestInit) => {
      if (url.includes('/v1/pull') && pullsLeft-- <= 0) net.down = true;
      return net.fetch(url, init);
    };
    const device = await openDevice({ ...alice, fetch: fetchUntilDown });
    const aliceCart = await device.carts.openCart('Alice’s');
    await add(device.carts, aliceCart, milk);
    expect(await device.engine.syncNow()).toMatchObject({ state: 'synced', pending: 0 });

    await server().restore(); // an empty database: alice's log is gone
    pullsLeft = 1;
    expect((await device.engine.syncNow()).state).toBe('offline'); // healing began, then the network dropped
    expect((await device.carts.store.db.streams.get(aliceCart))?.confirmedThrough).toBe(0);

    net.down = false;
    const asBob = await device.reconnect({ ...bob, fetch: net.fetch });
    const bobCart = await device.carts.openCart('Bob’s');
    expect(await asBob.syncNow()).toMatchObject({ state: 'synced', pending: 0, reason: expect.stringMatching(/another account/) });
    expect((await server().pullAll(bob.userId)).map((e) => e.streamId)).toEqual([bobCart]);

    // Back as alice: the heal finishes and her cart is uploaded to her log, and only there.
    const asAlice = await device.reconnect({ ...alice, fetch: net.fetch });
    expect(await asAlice.syncNow()).toMatchObject({ state: 'synced', pending: 0 });
    expect(new Set((await server().pullAll(alice.userId)).map((e) => e.streamId))).toEqual(new Set([aliceCart]));
    expect((await server().pullAll(bob.userId)).map((e) => e.streamId)).toEqual([bobCart]);
  });
});

describe('an engine whose settings were just replaced', () => {
  it('writes nothing for its old account: the new account’s carts stay its own', async () => {
    const [alice, bob] = [await account(), await account()];
    const device = await openDevice(alice);
    const aliceCart = await device.carts.openCart('Alice’s');
    await device.engine.syncNow();
    const asBob = await device.reconnect(bob);
    await device.carts.openCart('Bob’s');
    await asBob.syncNow();
    await add(device.carts, aliceCart, milk); // made as bob: alice's cart, kept for her

    // Alice's settings are saved while bob's engine has not stopped yet, and it syncs once more.
    await saveTarget(device.carts.store, { url: alice.url, token: alice.token });
    expect((await asBob.syncNow()).state).toBe('error');
    expect((await device.carts.store.db.streams.get(aliceCart))?.foreign).toBeUndefined();

    const asAlice = await device.reconnect(alice);
    expect(await asAlice.syncNow()).toMatchObject({ state: 'synced', pending: 0 });
    expect((await server().pullAll(alice.userId)).filter((e) => e.streamId === aliceCart)).toHaveLength(2);
  });
});

describe('refusals that must not stall the rest', () => {
  it('syncs the other carts when one is refused with id_conflict, and says which and why', async () => {
    const me = await account();
    const device = await openDevice(me);
    const clashing = await device.carts.openCart('Its first event id is taken');
    const other = await device.carts.openCart('Fine');
    // The account's log already holds the first cart's first event id, with other content.
    const [first] = await logOf(device.carts);
    const response = await fetch(`${server().url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'elsewhere', events: [{ ...first, streamId: `cart-${crypto.randomUUID()}` }] }),
    });
    expect(response.status).toBe(200);

    const status = await device.engine.syncNow();
    expect(status).toMatchObject({ state: 'error', pending: 1, reason: expect.stringMatching(/one cart the sync server refuses/) });
    expect((await server().pullAll(me.userId)).map((e) => e.streamId)).toContain(other);
    expect((await server().pullAll(me.userId)).map((e) => e.streamId)).not.toContain(clashing);
  });


  it('syncs the other carts when one is refused with 403, and says why', async () => {
    const me = await account();
    const device = await openDevice(me);
    const taken = await device.carts.openCart('Someone else got this id first');
    const mine = await device.carts.openCart('Mine');
    // Another user pushes the first cart's id before this device does.
    const thief = await account();
    const [first] = await logOf(device.carts);
    await fetch(`${server().url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${thief.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'thief', events: [{ ...first, id: crypto.randomUUID() }] }),
    });

    const seen: string[] = [];
    const stop = device.engine.status.subscribe((s) => seen.push(`${s.state}: ${s.reason ?? ''}`));
    const status = await device.engine.syncNow();
    stop();
    // `error` with the reason while refused, then `synced` noting the other account's cart (CONTRACT §5).
    expect(seen).toContainEqual(expect.stringMatching(/^error: .*belongs to another user/));
    expect(status).toMatchObject({ state: 'synced', pending: 0, reason: expect.stringMatching(/another account/) });
    expect((await server().pullAll(me.userId)).map((e) => e.streamId)).toEqual([mine]);
    expect((await device.carts.store.db.streams.get(taken))?.foreign).toBeDefined();
  });

  it('stops pushing on 507, keeps pulling, says why, and tries again on "sync now"', async () => {
    const full = await startServer({ userQuota: 3 });
    try {
      const me = await account(full);
      const [a, b] = [await openDevice(me), await openDevice(me)];
      const cartId = await a.carts.openCart('Fits');
      await add(a.carts, cartId, milk);
      await a.engine.syncNow();
      await b.carts.openCart('Does not fit');
      await add(b.carts, (await b.carts.list())[0]!.cartId, eggs);

      const status = await b.engine.syncNow();
      expect(status).toMatchObject({ state: 'error', pending: 2, reason: expect.stringMatching(/no room/) });
      expect(await b.carts.view(cartId)).toEqual(await a.carts.view(cartId)); // the pull went on
      expect(await full.pullAll(me.userId)).toHaveLength(2);
      expect(await b.engine.syncNow()).toMatchObject({ state: 'error', reason: expect.stringMatching(/no room/) });
    } finally {
      await closeDevices();
      await full.close();
    }
  });
});
