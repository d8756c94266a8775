// Shared by the server tests: storages to run the protocol suite against, events, tokens, requests.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { createApp, type AppOptions, type CartlogApp } from '../../src/server/app.ts';
import { openPostgresStorage, openSqliteStorage, type Storage } from '../../src/server/storage/index.ts';
import { mintToken } from '../../src/server/token.ts';
import type { PullResponse, PushResponse, PushedEvent } from '../../src/sync/protocol.ts';

import { SECRET } from './processes.ts';

export { SECRET };
export const DATABASE_URL = process.env.DATABASE_URL;

/**
 * One place for a suite's data: a temp folder for SQLite, a schema of its own in PostgreSQL (so
 * tests never see, nor truncate, what a running server or another suite keeps in the database).
 * `open()` may be called more than once: every storage it returns shares the same data, like
 * several server processes would.
 */
export interface Place {
  open(): Promise<Storage>;
  drop(): Promise<void>;
}

export interface StorageKind {
  name: string;
  skip: boolean;
  place(): Promise<Place>;
}

export const storageKinds: StorageKind[] = [
  {
    name: 'SQLite',
    skip: false,
    async place() {
      const dir = mkdtempSync(join(tmpdir(), 'cartlog-sqlite-'));
      return {
        open: async () => openSqliteStorage({ file: join(dir, 'cartlog.sqlite') }),
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    skip: !DATABASE_URL,
    async place() {
      const schema = `cartlog_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      return {
        open: () => openPostgresStorage({ connectionString: DATABASE_URL!, schema }),
        async drop() {
          const client = new pg.Client({ connectionString: DATABASE_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  },
];

/** An empty static folder, one for every run (nothing is written to it): these tests are about /v1. */
const staticDir = join(tmpdir(), 'cartlog-server-tests-static');
mkdirSync(staticDir, { recursive: true });

export function apiApp(storage: Storage, options: Partial<AppOptions> = {}): CartlogApp {
  return createApp({ staticDir, log: () => {}, storage, secret: SECRET, rateLimit: 100_000, corsOrigins: [], ...options });
}

export const newUser = () => `user-${randomUUID()}`;
export const newCart = () => `cart-${randomUUID()}`;
export const token = (userId: string) => mintToken(userId, SECRET);

/** A valid ItemAdded (or the given type and data) at a stream's version. */
export function cartEvent(streamId: string, version: number, overrides: Partial<PushedEvent> = {}): PushedEvent {
  return {
    id: randomUUID(),
    streamId,
    version,
    type: 'ItemAdded',
    schemaVersion: 1,
    data: { sku: `sku-${version}`, name: 'Oat milk', unitPrice: 199, quantity: 1 },
    meta: { at: new Date().toISOString(), deviceId: randomUUID(), commandId: randomUUID() },
    ...overrides,
  };
}

/** `count` contiguous events of one stream, starting at `from`. */
export function cartEvents(streamId: string, from: number, count: number): PushedEvent[] {
  return Array.from({ length: count }, (_, n) => cartEvent(streamId, from + n));
}

export interface Client {
  push(events: unknown[], init?: { deviceId?: unknown; headers?: Record<string, string> }): Promise<Response>;
  pull(query?: string, init?: { signal?: AbortSignal }): Promise<Response>;
}

export async function clientFor(app: CartlogApp, userId: string): Promise<Client> {
  const authorization = `Bearer ${await token(userId)}`;
  return {
    push: async (events, init = {}) =>
      app.request('/v1/push', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', ...init.headers },
        body: JSON.stringify({ deviceId: 'deviceId' in init ? init.deviceId : 'device-1', events }),
      }),
    pull: async (query = '', init = {}) => app.request(`/v1/pull${query ? `?${query}` : ''}`, { headers: { authorization }, signal: init.signal }),
  };
}

/** An HS256 token over any header and payload, for the tokens mintToken would never make. */
export async function craftToken(payload: Record<string, unknown>, options: { secret?: string; alg?: 'HS256' | 'HS512' } = {}): Promise<string> {
  return sign(payload, options.secret ?? SECRET, options.alg ?? 'HS256');
}

export function unsignedToken(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

export const pushed = async (res: Response): Promise<PushResponse> => {
  expect(res.status).toBe(200);
  return (await res.json()) as PushResponse;
};
export const pulled = async (res: Response): Promise<PullResponse> => {
  expect(res.status).toBe(200);
  return (await res.json()) as PullResponse;
};

/**
 * A describe block's data on one storage: a place, a storage on it and an app over that, opened
 * before its tests and dropped after. Read the fields inside tests (they are set in beforeAll).
 */
export function onStorage(kind: StorageKind): { place: Place; storage: Storage; app: CartlogApp } {
  const suite = {} as { place: Place; storage: Storage; app: CartlogApp };
  beforeAll(async () => {
    suite.place = await kind.place();
    suite.storage = await suite.place.open();
    suite.app = apiApp(suite.storage);
  });
  afterAll(async () => {
    await suite.app?.close();
    await suite.storage?.close();
    await suite.place?.drop();
  });
  return suite;
}
