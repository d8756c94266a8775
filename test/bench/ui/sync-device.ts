// One device of the sync-converge scenario (../sync-converge.ts): served by the real sync server on
// its own origin, it opens a cart log of its own and the real client sync engine on that origin's
// /v1. Node drives it through window.syncDevice, one page.evaluate per step.
import { openCarts, type Carts } from '../../../src/cart/carts.ts';
import type { CartView } from '../../../src/cart/projections.ts';
import { createSyncEngine, type SyncEngine, type SyncStatus } from '../../../src/sync/client/index.ts';
import { PULL_LIMIT } from '../../../src/sync/client/pull.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { cartlogLayout, deleteRaw, openRaw } from '../raw/idb.ts';
import { writePacked } from '../raw/log.ts';

export interface SyncDeviceApi {
  /** Opens `bench-sync-<device>` and an engine on `url` (syncNow only: never started, no leader election). */
  open: (device: string, url: string, token: string) => Promise<void>;
  /** A new cart with one of each SKU in it; returns its id. */
  createCart: (skus: string[]) => Promise<string>;
  /** `n` commands on the cart, alternating AddItem 1 / ChangeQuantity back to 1 over `skus`; returns the events written. */
  offline: (cartId: string, n: number, skus: string[]) => Promise<number>;
  sync: () => Promise<SyncStatus>;
  view: (cartId: string) => Promise<CartView | undefined>;
  /**
   * The first-sync baseline: a plain client pulling the whole log over HTTP, `limit` events a
   * request, pipelined (the next request is in flight while this page is written), each page one
   * raw packed write (strict) into a fresh database of the store's layout. Returns events and ms.
   */
  rawPull: (url: string, token: string, limit?: number) => Promise<{ events: number; ms: number }>;
  /** Starts counting how long the main thread goes without running a 4 ms timer. */
  watchMainThread: () => void;
  /** The longest stall (ms) since watchMainThread, and the count of stalls over 50 ms. */
  mainThread: () => { longestMs: number; over50: number };
  /** Stops the engine, closes and deletes the database. */
  close: () => Promise<void>;
}

let carts: Carts | undefined;
let engine: SyncEngine | undefined;
let database = '';
const watch: { timer?: ReturnType<typeof setInterval>; longestMs: number; over50: number } = { longestMs: 0, over50: 0 };

const opened = () => {
  if (!carts || !engine) throw new Error('syncDevice: open() first');
  return { carts, engine };
};

const api: SyncDeviceApi = {
  async open(device, url, token) {
    database = `bench-sync-${device}`;
    carts = await openCarts({ name: database, deviceId: crypto.randomUUID() });
    engine = createSyncEngine({ carts, url, token, locks: null, channel: null });
  },
  async createCart(skus) {
    const { carts } = opened();
    const cartId = await carts.openCart('sync bench');
    for (const sku of skus) await carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 1 } });
    return cartId;
  },
  async offline(cartId, n, skus) {
    const { carts } = opened();
    let events = 0;
    // Every line is at 1 between pairs: AddItem makes it 2, ChangeQuantity sets it back to 1. Both
    // hold on any state where the line exists, so a rebase re-decides each one to one event too.
    for (let i = 0; i < n; i++) {
      const sku = skus[(i >> 1) % skus.length]!;
      const result = await carts.execute(cartId, i % 2 === 0 ? { type: 'AddItem', data: { sku, quantity: 1 } } : { type: 'ChangeQuantity', data: { sku, quantity: 1 } });
      events += result.events.length;
    }
    return events;
  },
  sync: () => opened().engine.syncNow(),
  async rawPull(url, token, limit = PULL_LIMIT) {
    const name = `bench-raw-pull-${crypto.randomUUID()}`;
    const db = await openRaw(name, cartlogLayout);
    const headers = { authorization: `Bearer ${token}` };
    const page = async (after: number) => {
      const response = await fetch(`${url}/v1/pull?after=${after}&limit=${limit}`, { headers });
      if (!response.ok) throw new Error(`raw pull answered ${response.status}`);
      return (await response.json()) as { events: (EventEnvelope & { position: number })[]; more: boolean };
    };
    try {
      const start = performance.now();
      let events = 0;
      let next = page(0);
      for (;;) {
        const current = await next;
        const last = current.events[current.events.length - 1];
        if (current.more && last) next = page(last.position);
        await writePacked(db, current.events);
        events += current.events.length;
        if (!current.more || !last) break;
      }
      return { events, ms: performance.now() - start };
    } finally {
      db.close();
      await deleteRaw(name);
    }
  },
  watchMainThread() {
    clearInterval(watch.timer);
    watch.longestMs = 0;
    watch.over50 = 0;
    let last = performance.now();
    watch.timer = setInterval(() => {
      const now = performance.now();
      const gap = now - last;
      last = now;
      watch.longestMs = Math.max(watch.longestMs, gap);
      if (gap > 50) watch.over50++;
    }, 4);
  },
  mainThread: () => {
    clearInterval(watch.timer);
    return { longestMs: watch.longestMs, over50: watch.over50 };
  },
  view: (cartId) => opened().carts.view(cartId),
  async close() {
    await engine?.stop();
    carts?.close();
    engine = undefined;
    carts = undefined;
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(database);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
      request.onblocked = () => resolve();
    });
  },
};

(window as unknown as { syncDevice: SyncDeviceApi }).syncDevice = api;
document.body.dataset.ready = 'true';
