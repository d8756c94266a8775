// The sync engine against the real server (CONTRACT §5 client guarantees): round trips, devices
// converging, rebases and rejections, lost answers and restarts, auth and ownership, offline.
// Driven with syncNow(), so nothing waits on timers unless the test is about the loop itself.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import type { Carts } from '../../src/cart/carts.ts';
import { mintToken } from '../../src/server/token.ts';
import { markRebasing } from '../../src/sync/client/rows.ts';
import { closeDevices, flakyFetch, isPush, logOf, newUser, openDevice, startServer, streamOf, token, type TestServer } from './helpers.ts';

const [milk, bread, eggs, tea] = catalog.map((p) => p.sku) as [string, string, string, string];

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());
afterEach(closeDevices);

async function account() {
  const userId = newUser();
  return { userId, token: await token(userId), url: server.url };
}

const add = (carts: Carts, cartId: string, sku: string, quantity = 1) => carts.execute(cartId, { type: 'AddItem', data: { sku, quantity } });

/** Two devices of one account sharing one cart (opened on A, synced to both). */
async function sharedCart() {
  const me = await account();
  const [a, b] = [await openDevice(me), await openDevice(me)];
  const cartId = await a.carts.openCart('Groceries');
  await add(a.carts, cartId, milk);
  await a.engine.syncNow();
  await b.engine.syncNow();
  expect(await b.carts.view(cartId)).toEqual(await a.carts.view(cartId));
  return { me, a, b, cartId };
}

describe('sync engine', () => {
  it('pushes the outbox, attaches the positions and reports synced', async () => {
    const me = await account();
    const device = await openDevice(me);
    const cartId = await device.carts.openCart('Weekend');
    await add(device.carts, cartId, milk, 2);
    expect(device.engine.status.get()).toMatchObject({ state: 'syncing' });

    expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    const local = await device.carts.store.readStream(cartId);
    expect(local.every((e) => typeof e.position === 'number')).toBe(true);
    expect(await server.pullAll(me.userId)).toEqual(local);
    expect(await device.carts.store.outbox()).toEqual([]);
    const journal = await device.carts.store.db.commands.toArray();
    expect(journal.map((r) => r.status)).toEqual(['confirmed', 'confirmed']);
  });

  it('counts pending events as they are made and says local-only without settings', async () => {
    const me = await account();
    const device = await openDevice({ ...me, token: '' });
    const seen: string[] = [];
    const stop = device.engine.status.subscribe((s) => seen.push(`${s.state}:${s.pending}`));
    const cartId = await device.carts.openCart('Offline only');
    await add(device.carts, cartId, milk);
    expect(await device.engine.syncNow()).toEqual({ state: 'local-only', pending: 2 });
    expect(seen.at(-1)).toBe('local-only:2');
    stop();
  });

  it('lets two devices that changed one cart offline converge on one log and one view', async () => {
    const { me, a, b, cartId } = await sharedCart();
    await add(a.carts, cartId, bread, 2);
    await a.carts.execute(cartId, { type: 'RenameCart', data: { name: 'Saturday' } });
    await add(b.carts, cartId, eggs, 3);
    await b.carts.execute(cartId, { type: 'ChangeQuantity', data: { sku: milk, quantity: 4 } });
    const bOnly = await b.carts.openCart('Hardware');

    await a.engine.syncNow();
    expect(await b.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await a.engine.syncNow();

    expect(await streamOf(b.carts, cartId)).toEqual(await streamOf(a.carts, cartId));
    const view = await a.carts.view(cartId);
    expect(await b.carts.view(cartId)).toEqual(view);
    expect(view).toMatchObject({ name: 'Saturday', itemCount: 4 + 2 + 3 });
    expect(view!.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [milk, 4],
      [bread, 2],
      [eggs, 3],
    ]);
    expect(await a.carts.view(bOnly)).toEqual(await b.carts.view(bOnly));
    expect((await a.carts.list()).map((c) => c.cartId).sort()).toEqual((await b.carts.list()).map((c) => c.cartId).sort());
    // Same events in the same order everywhere: the server's log is what both hold.
    const upstream = await server.pullAll(me.userId);
    const byPosition = (events: { position?: number }[]) => [...events].sort((x, y) => x.position! - y.position!);
    expect(byPosition(await logOf(a.carts))).toEqual(upstream);
    expect(byPosition(await logOf(b.carts))).toEqual(upstream);
    expect(await b.engine.rejected()).toEqual([]);
  });

  it('rejects, with its reason, a change made offline to a cart checked out elsewhere', async () => {
    const { a, b, cartId } = await sharedCart();
    await a.carts.execute(cartId, { type: 'Checkout', data: {} });
    const { events } = await add(b.carts, cartId, tea, 2);
    const commandId = events[0]!.meta.commandId;

    await a.engine.syncNow();
    expect(await b.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });

    const [rejected, ...more] = await b.engine.rejected();
    expect(more).toEqual([]);
    expect(rejected).toMatchObject({ commandId, cartId, command: { type: 'AddItem', data: { sku: tea, quantity: 2 } }, code: 'cart_checked_out' });
    expect(rejected!.reason).toMatch(/checked out/i);
    expect(await b.carts.view(cartId)).toEqual(await a.carts.view(cartId));
    expect(await streamOf(b.carts, cartId)).toEqual(await streamOf(a.carts, cartId));

    // It stays rejected after the shopper dismisses it: a later rebase never decides it again.
    await b.engine.dismiss(commandId);
    expect(await b.engine.rejected()).toEqual([]);
    await a.carts.execute(cartId, { type: 'ArchiveCart', data: {} });
    await b.carts.execute(cartId, { type: 'ArchiveCart', data: {} });
    await a.engine.syncNow();
    await b.engine.syncNow();
    expect(await b.engine.rejected()).toEqual([]);
    expect(await b.carts.view(cartId)).toEqual(await a.carts.view(cartId));
  });

  it('stores every event once when the answer to a push is lost', async () => {
    const { me, a, b, cartId } = await sharedCart();
    const cut = flakyFetch();
    const engine = await b.reconnect({ fetch: cut.fetch });
    await add(b.carts, cartId, bread);
    await add(b.carts, cartId, eggs);
    cut.loseAnswerOf = isPush;
    expect(await engine.syncNow()).toMatchObject({ state: 'offline', pending: 2 });

    // Meanwhile another device changes the cart: B's lost events come back with a conflict.
    await add(a.carts, cartId, tea);
    await a.engine.syncNow();
    await add(b.carts, cartId, milk, 5);
    expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await a.engine.syncNow();

    const upstream = await server.pullAll(me.userId);
    expect(new Set(upstream.map((e) => e.id)).size).toBe(upstream.length);
    expect(upstream.filter((e) => e.streamId === cartId)).toHaveLength((await b.carts.store.readStream(cartId)).length);
    expect(await streamOf(b.carts, cartId)).toEqual(await streamOf(a.carts, cartId));
    const lines = (await b.carts.view(cartId))!.lines.map((l) => [l.sku, l.quantity]);
    expect(lines).toEqual([
      [milk, 6], // adding 5 to the line of 1
      [bread, 1],
      [eggs, 1],
      [tea, 1],
    ]);
    expect(await b.engine.rejected()).toEqual([]);
  });

  it('stores every event once across a server restart in the middle of a sync', async () => {
    const me = await account();
    const cut = flakyFetch();
    const device = await openDevice({ ...me, fetch: cut.fetch });
    const cartIds = [];
    for (let i = 0; i < 3; i++) {
      const cartId = await device.carts.openCart(`Cart ${i}`);
      await add(device.carts, cartId, milk);
      cartIds.push(cartId);
    }
    cut.loseAnswerOf = isPush;
    cut.afterLoss = async () => {
      cut.down = true;
      await server.restart();
    };
    expect(await device.engine.syncNow()).toMatchObject({ state: 'offline', pending: 6 });
    expect(await device.engine.syncNow()).toMatchObject({ state: 'offline' });
    cut.down = false;
    expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });

    const upstream = await server.pullAll(me.userId);
    expect(upstream).toHaveLength(6);
    expect(upstream).toEqual((await logOf(device.carts)).sort((x, y) => x.position! - y.position!));
  });

  it('says error on a refused token, pushes nothing, and recovers once the token is good', async () => {
    const me = await account();
    const device = await openDevice({ ...me, token: await mintToken(me.userId, 'another-server-secret') });
    await device.carts.openCart('Mine');
    const status = await device.engine.syncNow();
    expect(status).toMatchObject({ state: 'error', pending: 1 });
    expect(status.reason).toMatch(/token/i);
    expect(await server.pullAll(me.userId)).toEqual([]);

    const engine = await device.reconnect({ token: me.token });
    expect(await engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
  });

  it('keeps another account’s cart on the device, never pushes it again, and syncs the rest', async () => {
    const { a, b, cartId } = await sharedCart();
    const other = await account();
    const cut = flakyFetch();
    const engine = await b.reconnect({ token: other.token, fetch: cut.fetch });
    await add(b.carts, cartId, bread); // the first account's cart
    const mine = await b.carts.openCart('Other account');

    const status = await engine.syncNow();
    // CONTRACT §5: once the other carts synced, `synced`, noting the other account's cart.
    expect(status).toMatchObject({ state: 'synced', pending: 0 });
    expect(status.reason).toMatch(/another account/);
    // Its positions are the first account's: it is marked at the switch, before any push is refused.
    expect((await b.carts.store.db.streams.get(cartId))?.foreign).toMatch(/another account/);
    expect((await server.pullAll(other.userId)).map((e) => e.streamId)).toEqual([mine]);
    expect(await a.carts.view(cartId)).not.toEqual(await b.carts.view(cartId));

    const pushes = () => cut.requests.filter((r) => r.startsWith('POST')).length;
    const before = pushes();
    await add(b.carts, mine, eggs);
    await add(b.carts, cartId, eggs);
    await engine.syncNow();
    expect(pushes()).toBe(before + 1); // one push for the own cart, no 403 again
    expect((await server.pullAll(other.userId)).filter((e) => e.streamId === cartId)).toEqual([]);
  });

  it('says offline while the network fails and recovers when it is back', async () => {
    const me = await account();
    const cut = flakyFetch();
    const device = await openDevice({ ...me, fetch: cut.fetch });
    await device.carts.openCart('Train');
    cut.down = true;
    const status = await device.engine.syncNow();
    expect(status).toMatchObject({ state: 'offline', pending: 1 });
    expect(status.reason).toMatch(/reached/);
    cut.down = false;
    expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
  });

  it('says error after repeated server failures, with the reason', async () => {
    const me = await account();
    let failing = true;
    const device = await openDevice({
      ...me,
      fetch: async (url, init) => (failing ? new Response(JSON.stringify({ error: 'internal', message: 'Disk on fire.' }), { status: 500 }) : fetch(url, init)),
    });
    await device.carts.openCart('Later');
    expect(await device.engine.syncNow()).toMatchObject({ state: 'syncing', reason: expect.stringMatching(/Disk on fire/) });
    await device.engine.syncNow();
    expect(await device.engine.syncNow()).toMatchObject({ state: 'error', reason: expect.stringMatching(/Disk on fire/) });
    failing = false;
    expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
  });

  it('finishes a rebase a crash interrupted: dropped commands are decided again', async () => {
    const { a, b, cartId } = await sharedCart();
    await add(a.carts, cartId, bread);
    await a.engine.syncNow();
    await add(b.carts, cartId, eggs, 2);
    // B's tab closed between dropping its tail and deciding its commands again.
    const upstream = (await a.carts.store.readStream(cartId)).filter((e) => e.version > 2);
    await markRebasing(b.carts.store, cartId);
    await b.carts.store.rebase(cartId, upstream);
    expect((await b.carts.view(cartId))!.lines.map((l) => l.sku)).toEqual([milk, bread]);

    expect(await b.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    await a.engine.syncNow();
    expect((await a.carts.view(cartId))!.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [milk, 1],
      [bread, 1],
      [eggs, 2],
    ]);
    expect(await streamOf(b.carts, cartId)).toEqual(await streamOf(a.carts, cartId));
  });

  it('keeps a change it could not decide again for a reason other than the cart’s rules: listed, and applied at the next sync', async () => {
    const { a, b, cartId } = await sharedCart();
    await add(a.carts, cartId, bread);
    await a.engine.syncNow();
    await add(b.carts, cartId, eggs, 2); // made offline: it is decided again on top of A's change
    const rerun = b.carts.rerun;
    let failures = 1;
    b.carts.rerun = async (...args) => {
      if (failures-- > 0) throw new Error('The disk hiccuped');
      return rerun(...args);
    };

    expect((await b.engine.syncNow()).state).toBe('error');
    // Not silently gone from the cart: the shopper sees it waits.
    expect(await b.engine.rejected()).toEqual([expect.objectContaining({ cartId, code: 'retrying', reason: expect.stringMatching(/tried again.*disk hiccuped/) })]);

    expect(await b.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });
    expect(await b.engine.rejected()).toEqual([]);
    await a.engine.syncNow();
    expect((await a.carts.view(cartId))!.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [milk, 1],
      [bread, 1],
      [eggs, 2],
    ]);
  });

  it('pulls on from its cursor: a new engine on the same database fetches nothing again', async () => {
    const { b } = await sharedCart();
    const cut = flakyFetch();
    const engine = await b.reconnect({ fetch: cut.fetch });
    const before = (await logOf(b.carts)).length;
    await engine.syncNow();
    expect((await logOf(b.carts)).length).toBe(before);
    expect(cut.requests).toEqual(['GET /v1/pull']);
  });

  it('follows other devices while running, long-polling, and stops promptly', async () => {
    const { a, b, cartId } = await sharedCart();
    b.engine.start();
    await vi.waitFor(() => expect(b.engine.status.get().state).toBe('synced'));
    await add(a.carts, cartId, tea, 3);
    await a.engine.syncNow();
    await vi.waitFor(async () => expect((await b.carts.view(cartId))?.lines.map((l) => l.sku)).toContain(tea), { timeout: 3000 });

    // A change here is pushed without being asked.
    await add(b.carts, cartId, eggs);
    await vi.waitFor(async () => expect((await b.carts.store.readStream(cartId)).every((e) => e.position)).toBe(true), { timeout: 3000 });
    await vi.waitFor(() => expect(b.engine.status.get()).toEqual({ state: 'synced', pending: 0 }));
    await a.engine.syncNow();
    expect(await a.carts.view(cartId)).toEqual(await b.carts.view(cartId));
    await b.engine.stop();
  });
});
