// Sync tests run the real engine against the real server over a socket on 127.0.0.1, with SQLite
// in a temp folder, and devices that are separate IndexedDB databases (fake-indexeddb).
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCarts, type Carts } from '../../src/cart/carts.ts';
import { deleteEventStore } from '../../src/es/store.ts';
import type { AppOptions, CartlogApp } from '../../src/server/app.ts';
import { openSqliteStorage, type Storage } from '../../src/server/storage/index.ts';
import { createSyncEngine, type LockManagerLike, type SyncEngine, type SyncEngineOptions } from '../../src/sync/client/index.ts';
import type { ConfirmedEvent, PullResponse } from '../../src/sync/protocol.ts';
import { uniqueName } from '../es/fixtures.ts';
import { apiApp, newUser, token } from '../server/helpers.ts';

export { newUser, token };

export interface TestServer {
  url: string;
  /** Closes the server and opens a new one on the same port and data, like a process restart. */
  restart: () => Promise<void>;
  /** Every event of the user, straight from the server. */
  pullAll: (userId: string) => Promise<ConfirmedEvent[]>;
  /** A copy of the server's data as it is now (the server restarts to take it). */
  backup: () => Promise<string>;
  /** Restarts on the same port with that copy's data, or an empty database: an operator's restore. */
  restore: (copy?: string) => Promise<void>;
  /** `npm run delete-user`. */
  deleteUser: (userId: string) => Promise<void>;
  close: () => Promise<void>;
}

export async function startServer(options: Partial<AppOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cartlog-sync-'));
  const file = join(dir, 'cartlog.sqlite');
  let copies = 0;
  let storage: Storage;
  let app: CartlogApp;
  let server: Server;

  async function listen(port: number): Promise<number> {
    storage = await openSqliteStorage({ file });
    app = apiApp(storage, options);
    // No keep-alive: a restart closes every connection, and a client that reused a pooled one
    // before it saw the close would fail its next request ("other side closed") for no fault of
    // the code under test.
    const fetch = async (request: Request) => {
      const response = await app.fetch(request);
      const closing = new Response(response.body, response);
      closing.headers.set('connection', 'close');
      return closing;
    };
    server = serve({ fetch, hostname: '127.0.0.1', port }) as Server;
    await new Promise<void>((ready, fail) => server.once('listening', ready).once('error', fail));
    return (server.address() as AddressInfo).port;
  }
  async function shut(): Promise<void> {
    await app.close();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await storage.close();
  }

  const port = await listen(0);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async restart() {
      await shut();
      await listen(port);
    },
    async pullAll(userId) {
      const authorization = `Bearer ${await token(userId)}`;
      const events: ConfirmedEvent[] = [];
      for (let after = 0; ; ) {
        const page = (await (await fetch(`${url}/v1/pull?after=${after}&limit=1000`, { headers: { authorization } })).json()) as PullResponse;
        events.push(...page.events);
        if (!page.more) return events;
        after = page.events[page.events.length - 1]!.position;
      }
    },
    async backup() {
      await shut();
      const copy = join(dir, `backup-${copies++}.sqlite`);
      copyFileSync(file, copy);
      await listen(port);
      return copy;
    },
    async restore(copy) {
      await shut();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      if (copy) copyFileSync(copy, file);
      await listen(port);
    },
    async deleteUser(userId) {
      await storage.deleteUser(userId);
    },
    async close() {
      await shut();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Device {
  carts: Carts;
  engine: SyncEngine;
  /** A new engine on the same database (another account, other settings), replacing the old one. */
  reconnect: (options?: Partial<SyncEngineOptions>) => Promise<SyncEngine>;
}

const devices: Device[] = [];
/** More tabs on devices' databases, closed with them. */
const tabs: { engine?: SyncEngine; carts: Carts }[] = [];

/**
 * Another tab on a device's database: its own store instance (as a browser tab has) and, given
 * options, its own engine. Closed by closeDevices.
 */
export async function openTab(of: Carts, options?: Partial<SyncEngineOptions> & { url: string; token: string }): Promise<{ carts: Carts; engine: SyncEngine }> {
  const carts = await openCarts({ name: of.store.name, deviceId: of.deviceId });
  const engine = createSyncEngine({ carts, locks: null, channel: null, longPollSeconds: 1, url: '', token: '', ...options });
  tabs.push({ carts, engine });
  return { carts, engine };
}

/** Registers the tab (e.g. one opened with a store of its own making) to be closed with the devices. */
export function trackTab(tab: { engine?: SyncEngine; carts: Carts }): void {
  tabs.push(tab);
}

/** One server for the file's tests, and devices closed after each: the usual setup of a sync test file. */
export function useServer(): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());
  afterEach(closeDevices);
  return () => server!;
}

/** A device (its own database and device id) with an engine that only syncs when told to. */
export async function openDevice(options: Partial<SyncEngineOptions> & { url: string; token: string }): Promise<Device> {
  const carts = await openCarts({ name: uniqueName('sync-device'), deviceId: randomUUID() });
  const engineFor = (extra: Partial<SyncEngineOptions>) => createSyncEngine({ carts, locks: null, channel: null, longPollSeconds: 1, ...options, ...extra });
  const device: Device = {
    carts,
    engine: engineFor({}),
    async reconnect(extra = {}) {
      await device.engine.stop();
      device.engine = engineFor(extra);
      return device.engine;
    },
  };
  devices.push(device);
  return device;
}

export async function closeDevices(): Promise<void> {
  for (const tab of tabs.splice(0)) {
    await tab.engine?.stop();
    tab.carts.close();
  }
  for (const device of devices.splice(0)) {
    await device.engine.stop();
    device.carts.close();
    await deleteEventStore(device.carts.store.name);
  }
}

/** The device's whole log, as the wire shows it. */
export async function logOf(carts: Carts) {
  const events = [];
  for (let after = 0; ; ) {
    const page = await carts.store.readLog({ after, limit: 1000 });
    events.push(...page.events);
    if (page.done) return events;
    after = page.cursor;
  }
}

/** A stream's events as [id, version, position], what two synced devices must agree on. */
export async function streamOf(carts: Carts, cartId: string) {
  return (await carts.store.readStream(cartId)).map((e) => [e.id, e.version, e.position]);
}

/** A fetch that can be cut off: while `down`, nothing reaches the server. */
export function flakyFetch() {
  const control = {
    down: false,
    /** Let the next matching request reach the server, then lose its answer. */
    loseAnswerOf: undefined as ((url: string, init: RequestInit) => boolean) | undefined,
    /** Runs after a lost answer's request was handled by the server (e.g. restart it). */
    afterLoss: undefined as (() => Promise<void>) | undefined,
    requests: [] as string[],
    fetch: async (url: string, init: RequestInit): Promise<Response> => {
      control.requests.push(`${init.method ?? 'GET'} ${new URL(url).pathname}`);
      if (control.down) throw new TypeError('fetch failed');
      const lose = control.loseAnswerOf?.(url, init);
      const response = await fetch(url, init);
      if (!lose) return response;
      control.loseAnswerOf = undefined;
      await response.arrayBuffer(); // the server has answered: everything it stored is stored
      await control.afterLoss?.();
      throw new TypeError('fetch failed: connection reset');
    },
  };
  return control;
}

export const isPush = (url: string) => url.includes('/v1/push');

/** navigator.locks as far as the engine uses it: one holder per name, the rest wait in turn. */
export function fakeLocks(): LockManagerLike {
  const holders = new Map<string, { busy: boolean; waiting: (() => void)[] }>();
  return {
    async request(name, { signal }, callback) {
      const lock = holders.get(name) ?? holders.set(name, { busy: false, waiting: [] }).get(name)!;
      if (lock.busy)
        await new Promise<void>((granted, refused) => {
          const turn = () => (signal?.aborted ? refused(new DOMException('Aborted', 'AbortError')) : granted());
          lock.waiting.push(turn);
          signal?.addEventListener('abort', () => {
            lock.waiting = lock.waiting.filter((t) => t !== turn);
            refused(new DOMException('Aborted', 'AbortError'));
          });
        });
      lock.busy = true;
      try {
        return await callback();
      } finally {
        lock.busy = false;
        lock.waiting.shift()?.();
      }
    },
  };
}
