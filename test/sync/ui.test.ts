// The page's side of sync, in Node: settings checked and kept, the words shown, and startSync
// running an engine with the stored settings (and none for a sandbox).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import { openCarts, type Carts } from '../../src/cart/carts.ts';
import { SANDBOX_PREFIX } from '../../src/cart/database-names.ts';
import { deleteEventStore } from '../../src/es/store.ts';
import type { KeyValueStorage } from '../../src/ui/device.ts';
import { describeCommand, statusText } from '../../src/ui/sync/describe.ts';
import { startSync, type SyncController } from '../../src/ui/sync/index.ts';
import { checkSettings, defaultUrl, readCopy, saveCopy, SYNC_SETTINGS_KEY } from '../../src/ui/sync/settings.ts';
import { uniqueName } from '../es/fixtures.ts';
import { closeDevices, newUser, openDevice, startServer, token, type TestServer } from './helpers.ts';

const [milk, bread] = catalog as [(typeof catalog)[0], (typeof catalog)[0]];

function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value) };
}

describe('sync settings', () => {
  it('tidies the address and refuses what cannot work', () => {
    expect(checkSettings({ url: ' http://127.0.0.1:8787/v1/ ', token: ' abc.def.ghi ' })).toEqual({ ok: true, settings: { url: 'http://127.0.0.1:8787', token: 'abc.def.ghi' } });
    expect(checkSettings({ url: 'https://shop.example/cartlog/', token: 't' })).toEqual({ ok: true, settings: { url: 'https://shop.example/cartlog', token: 't' } });
    expect(checkSettings({ url: '', token: '' })).toEqual({ ok: true, settings: { url: '', token: '' } });
    expect(checkSettings({ url: 'ftp://x', token: 't' })).toMatchObject({ ok: false, field: 'url' });
    expect(checkSettings({ url: 'not a url', token: 't' })).toMatchObject({ ok: false, field: 'url' });
    expect(checkSettings({ url: '', token: 't' })).toMatchObject({ ok: false, field: 'url' });
    expect(checkSettings({ url: 'http://x', token: 'a b' })).toMatchObject({ ok: false, field: 'token' });
  });

  it('defaults the address to the page’s origin, and reads what was saved', () => {
    expect(defaultUrl({ origin: 'http://127.0.0.1:8787', protocol: 'http:' })).toBe('http://127.0.0.1:8787');
    expect(defaultUrl({ origin: 'null', protocol: 'file:' })).toBe('');
    const storage = memoryStorage();
    expect(readCopy(storage, 'http://here')).toEqual({ settings: { url: 'http://here', token: '' }, foreign: false });
    storage.setItem(SYNC_SETTINGS_KEY, '{broken');
    expect(readCopy(storage, 'http://here')).toEqual({ settings: { url: 'http://here', token: '' }, foreign: false });
    // As the previous release kept them (or someone by hand): what the shopper wants now.
    storage.setItem(SYNC_SETTINGS_KEY, JSON.stringify({ url: 'http://there', token: 't' }));
    expect(readCopy(storage, 'http://here')).toEqual({ settings: { url: 'http://there', token: 't' }, foreign: true });
    // This release's mirror of the database's settings.
    saveCopy(storage, { url: 'http://there', token: 't' });
    expect(readCopy(storage, 'http://here')).toEqual({ settings: { url: 'http://there', token: 't' }, foreign: false });
  });
});

describe('sync words', () => {
  it('says each state, with what waits', () => {
    expect(statusText({ state: 'local-only', pending: 3 })).toMatch(/off/);
    expect(statusText({ state: 'offline', pending: 1 })).toBe('Offline: 1 change will sync when back online');
    expect(statusText({ state: 'offline', pending: 0, reason: 'The sync server (https://shop.test) cannot be reached.' })).toBe(
      'Offline. The sync server (https://shop.test) cannot be reached.',
    );
    expect(statusText({ state: 'syncing', pending: 1, reason: 'Slow down.' })).toBe('Syncing 1 change. Slow down.');
    expect(statusText({ state: 'synced', pending: 0, reason: 'One cart belongs to another account.' })).toBe('Synced. One cart belongs to another account.');
    expect(statusText({ state: 'syncing', pending: 2 })).toBe('Syncing 2 changes…');
    expect(statusText({ state: 'synced', pending: 0 })).toBe('Synced');
    expect(statusText({ state: 'error', pending: 0, reason: 'Bad token.' })).toBe('Sync error: Bad token.');
  });

  it('describes a rejected change as the shopper made it', () => {
    expect(describeCommand({ type: 'AddItem', data: { sku: milk.sku, quantity: 2 } })).toBe(`Add 2 × ${milk.name}`);
    expect(describeCommand({ type: 'ChangeQuantity', data: { sku: 'GONE-1', quantity: 3 } })).toBe('Set GONE-1 to 3');
    expect(
      describeCommand([
        { type: 'RemoveItem', data: { sku: milk.sku } },
        { type: 'Checkout', data: {} },
      ]),
    ).toBe(`Remove ${milk.name} and check out`);
    expect(describeCommand(null)).toBe('A change');
  });
});

describe('startSync', () => {
  let server: TestServer;
  const started: { controller: SyncController; carts: Carts }[] = [];
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());
  afterEach(async () => {
    for (const { controller, carts } of started.splice(0)) {
      await controller.stop();
      carts.close();
      await deleteEventStore(carts.store.name);
    }
    await closeDevices();
  });

  async function page(name = uniqueName('sync-page')) {
    const carts = await openCarts({ name, deviceId: randomUUID() });
    const storage = memoryStorage();
    const controller = startSync(carts, { storage, location: { origin: server.url, protocol: 'http:' }, engine: { locks: null, channel: null, longPollSeconds: 1 } });
    started.push({ controller, carts });
    return { carts, storage, controller };
  }

  it('is local-only until a token is saved, then syncs and lists rejected changes', async () => {
    const { carts, storage, controller } = await page();
    const seen: string[] = [];
    controller.status.subscribe((s) => seen.push(s.state));
    expect(controller.settings()).toEqual({ url: server.url, token: '' });
    const cartId = await carts.openCart('Shared');
    await carts.execute(cartId, { type: 'AddItem', data: { sku: milk.sku, quantity: 1 } });
    expect(await controller.syncNow()).toEqual({ state: 'local-only', pending: 2 });
    expect(storage.map.get('cartlog:pending')).toBe('off'); // nothing is on a server: a lost database takes it all
    expect(storage.map.get('cartlog:pending-list')).toBe('[]');

    const userId = newUser();
    expect(await controller.save({ url: `${server.url}/v1`, token: 'a b' })).toMatch(/spaces/);
    expect(await controller.save({ url: `${server.url}/v1`, token: await token(userId) })).toBe('');
    expect(JSON.parse(storage.map.get(SYNC_SETTINGS_KEY)!)).toMatchObject({ url: server.url });
    await vi.waitFor(() => expect(controller.status.get()).toEqual({ state: 'synced', pending: 0 }), { timeout: 3000 });
    expect(seen).toContain('synced');
    // What a database the browser deletes would take with it, for the lost-database notice.
    expect(storage.map.get('cartlog:pending')).toBe('0');

    // Another device checks the cart out; this one's offline add comes back rejected.
    const other = await openDevice({ url: server.url, token: await token(userId) });
    await other.engine.syncNow();
    await other.carts.execute(cartId, { type: 'Checkout', data: {} });
    await controller.stop();
    await carts.execute(cartId, { type: 'AddItem', data: { sku: bread.sku, quantity: 1 } });
    await other.engine.syncNow();
    const again = startSync(carts, { storage, engine: { locks: null, channel: null, longPollSeconds: 1 } });
    started.push({ controller: again, carts });
    await again.syncNow();
    const [item] = await again.rejected();
    expect(item).toMatchObject({ cartId, cartName: 'Shared', what: `Add 1 × ${bread.name}` });
    expect(item!.reason).toMatch(/checked out/i);
    await again.dismiss(item!.commandId);
    expect(await again.rejected()).toEqual([]);
  });

  it('keeps saved settings when the profile’s copy is lost (a crash right after Save), and moves a device set up by the previous release', async () => {
    const { carts, storage, controller } = await page();
    const userId = newUser();
    const cartId = await carts.openCart('Kept');
    await carts.execute(cartId, { type: 'AddItem', data: { sku: milk.sku, quantity: 1 } });
    expect(await controller.save({ url: server.url, token: await token(userId) })).toBe('');
    await controller.stop();
    // Chromium writes localStorage lazily: a browser killed right after Save may lose the copy.
    storage.map.clear();
    const restarted = startSync(carts, { storage, location: { origin: server.url, protocol: 'http:' }, engine: { locks: null, channel: null, longPollSeconds: 1 } });
    started.push({ controller: restarted, carts });
    expect(await restarted.syncNow()).toEqual({ state: 'synced', pending: 0 });
    expect(restarted.settings()).toMatchObject({ url: server.url, token: await token(userId) });
    expect((await server.pullAll(userId)).map((e) => e.streamId)).toEqual([cartId, cartId]);

    // The previous release kept the settings in the profile alone: they move into the database.
    const old = await page();
    const oldCart = await old.carts.openCart('From before');
    await old.controller.stop();
    const oldUser = newUser();
    old.storage.setItem(SYNC_SETTINGS_KEY, JSON.stringify({ url: server.url, token: await token(oldUser) }));
    const upgraded = startSync(old.carts, { storage: old.storage, engine: { locks: null, channel: null, longPollSeconds: 1 } });
    started.push({ controller: upgraded, carts: old.carts });
    expect(await upgraded.syncNow()).toEqual({ state: 'synced', pending: 0 });
    expect((await server.pullAll(oldUser)).map((e) => e.streamId)).toEqual([oldCart]);
    old.storage.map.clear();
    const later = startSync(old.carts, { storage: old.storage, engine: { locks: null, channel: null, longPollSeconds: 1 } });
    started.push({ controller: later, carts: old.carts });
    expect(await later.syncNow()).toEqual({ state: 'synced', pending: 0 });
  });

  it('moves to a new sync address durably: after a crash right after Save the new server gets every cart', async () => {
    const moved = await startServer();
    try {
      const { carts, storage, controller } = await page();
      const userId = newUser();
      const bearer = await token(userId);
      const cartIds = [await carts.openCart('One'), await carts.openCart('Two')];
      expect(await controller.save({ url: server.url, token: bearer })).toBe('');
      expect(await controller.syncNow()).toEqual({ state: 'synced', pending: 0 });

      expect(await controller.save({ url: moved.url, token: bearer })).toBe('');
      await controller.stop(); // the tab dies before it syncs with the new server
      storage.map.clear(); // and before the profile's copy reached the disk
      const restarted = startSync(carts, { storage, engine: { locks: null, channel: null, longPollSeconds: 1 } });
      started.push({ controller: restarted, carts });
      expect(await restarted.syncNow()).toEqual({ state: 'synced', pending: 0 });
      expect(new Set((await moved.pullAll(userId)).map((e) => e.streamId))).toEqual(new Set(cartIds));
    } finally {
      await moved.close();
    }
  });

  it('keeps what waits for the server, counted and in words, for a database the browser may delete', async () => {
    const carts = await openCarts({ name: uniqueName('sync-page'), deviceId: randomUUID() });
    const storage = memoryStorage();
    const offline = { locks: null, channel: null, fetch: () => Promise.reject(new TypeError('Failed to fetch')), backoff: { minMs: 60_000, maxMs: 60_000 } };
    const controller = startSync(carts, { storage, engine: offline });
    started.push({ controller, carts });
    expect(await controller.save({ url: server.url, token: await token(newUser()) })).toBe('');
    const cartId = await carts.openCart('Weekly');
    await carts.execute(cartId, { type: 'AddItem', data: { sku: milk.sku, quantity: 2 } });
    await vi.waitFor(() => expect(storage.map.get('cartlog:pending')).toBe('2'), { timeout: 3000 });
    await vi.waitFor(() => expect(JSON.parse(storage.map.get('cartlog:pending-list') ?? '[]')).toEqual(['Weekly: Open cart “Weekly”', `Weekly: Add 2 × ${milk.name}`]), { timeout: 5000 });
  });

  it('never syncs a sandbox, whatever the settings say', async () => {
    const { carts, storage } = await page(`${SANDBOX_PREFIX}${randomUUID()}`);
    storage.setItem(SYNC_SETTINGS_KEY, JSON.stringify({ url: server.url, token: await token(newUser()) }));
    const controller = startSync(carts, { storage, engine: { locks: null, channel: null, fetch: () => Promise.reject(new Error('no request expected')) } });
    started.push({ controller, carts });
    await carts.openCart('Imported');
    expect(await controller.syncNow()).toEqual({ state: 'local-only', pending: 1 });
  });
});
