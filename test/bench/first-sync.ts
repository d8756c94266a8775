// sync.firstSync.100k: a new device's first sync. One real server (createApp behind
// @hono/node-server on 127.0.0.1, SQLite in a temp DATA_DIR, the event rate raised so seeding is
// not throttled) holds one user's 1,000 carts × 100 events; a fresh database in a Chromium
// on-disk profile opens the app's cart log and the real client sync engine and syncs until
// `synced` (every event validated, both read models written in each page's transaction).
// Baseline, same page, same run: a plain client pulling the same log over HTTP with the same
// page size, pipelined (next request in flight while this page is written), each page one raw
// packed write, strict like the store's. The main thread is watched throughout (a 4 ms timer):
// the longest stall says whether the page stayed responsive.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Page } from 'playwright';
import { createApp } from '../../src/server/app.ts';
import { mintToken } from '../../src/server/token.ts';
import { batches, manyCarts } from './fixtures.ts';
import { compare, type BenchResult, type ScenarioOutput } from './result.ts';
import { median, round } from './stats.ts';
import { openPage, withBrowser, type UiEnv } from './ui/context.ts';
import type { SyncDeviceApi } from './ui/sync-device.ts';

const CARTS = 1000;
const PER_CART = 100;
const RUNS = 3;
const SECRET = 'bench-secret';

type DeviceWindow = Window & { syncDevice: SyncDeviceApi };

async function seed(base: string, authorization: string): Promise<string> {
  const events = manyCarts(CARTS, PER_CART);
  for (const chunk of batches(events, 1000)) {
    const response = await fetch(`${base}/v1/push`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'bench-seed', events: chunk }),
    });
    if (!response.ok) throw new Error(`first-sync: seeding push answered ${response.status}: ${await response.text()}`);
    await response.json();
  }
  return events[events.length - 1]!.streamId;
}

interface Run {
  ms: number;
  rawMs: number;
  longestMs: number;
  over50: number;
  rawLongestMs: number;
}

async function once(page: Page, run: number, origin: string, token: string, lastCart: string): Promise<Run> {
  const raw = await page.evaluate(async ([o, t]) => {
    const device = (window as unknown as DeviceWindow).syncDevice;
    device.watchMainThread();
    const out = await device.rawPull(o, t);
    return { ...out, ...device.mainThread() };
  }, [origin, token] as const);
  if (raw.events !== CARTS * PER_CART) throw new Error(`first-sync: the raw pull got ${raw.events} events`);
  const cartlog = await page.evaluate(
    async ([r, o, t, c]) => {
      const device = (window as unknown as DeviceWindow).syncDevice;
      device.watchMainThread();
      const start = performance.now();
      await device.open(`first-sync-${r}`, o, t);
      const status = await device.sync();
      const ms = performance.now() - start;
      const watched = device.mainThread();
      const view = await device.view(c);
      await device.close();
      return { ms, status, version: view?.version, ...watched };
    },
    [run, origin, token, lastCart] as const,
  );
  if (cartlog.status.state !== 'synced') throw new Error(`first-sync: the device is ${cartlog.status.state} (${cartlog.status.reason ?? ''})`);
  if (cartlog.version !== PER_CART) throw new Error(`first-sync: the last cart shows version ${cartlog.version}, not ${PER_CART}`);
  return { ms: cartlog.ms, rawMs: raw.ms, longestMs: cartlog.longestMs, over50: cartlog.over50, rawLongestMs: raw.longestMs };
}

export interface SeededServer {
  origin: string;
  token: string;
  /** The last cart seeded: the one whose view says the sync is complete. */
  lastCart: string;
  seedMs: number;
}

/** One real server on 127.0.0.1 (SQLite in a temp DATA_DIR) holding one user's CARTS × PER_CART events. */
export async function withSeededServer<T>(env: UiEnv, work: (server: SeededServer) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cartlog-bench-first-sync-'));
  const app = createApp({
    staticDir: env.site.dir,
    secret: SECRET,
    log: () => {},
    rateLimit: 100_000,
    eventRateLimit: 10_000_000,
    env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const token = await mintToken(`bench-first-sync-${randomUUID()}`, SECRET);
    const seedStart = performance.now();
    const lastCart = await seed(origin, `Bearer ${token}`);
    return await work({ origin, token, lastCart, seedMs: performance.now() - seedStart });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function firstSyncScenario(env: UiEnv): Promise<ScenarioOutput> {
  return withSeededServer(env, async ({ origin, token, lastCart, seedMs }) => {
    const runs = await withBrowser(env, async (context) => {
      const page = await openPage(context, `${origin}/bench/ui/sync-device.html`);
      await page.waitForSelector('body[data-ready="true"]');
      const out: Run[] = [];
      for (let run = 0; run < RUNS; run++) out.push(await once(page, run, origin, token, lastCart));
      return out;
    });
    const ms = median(runs.map((r) => r.ms));
    const rawMs = median(runs.map((r) => r.rawMs));
    const events = CARTS * PER_CART;
    const notes = [
      `sync.firstSync.100k: ${CARTS} carts × ${PER_CART} events (seeded in ${Math.round(seedMs)} ms); runs cartlog / raw: ` +
        runs.map((r) => `${Math.round(r.ms)} / ${Math.round(r.rawMs)} ms (longest main-thread stall ${Math.round(r.longestMs)} ms, ${r.over50} over 50 ms; raw ${Math.round(r.rawLongestMs)} ms)`).join('; ') +
        `; ${Math.round(events / (ms / 1000)).toLocaleString('en-US')} events/s. Median of ${runs.length}; one real server (SQLite) on 127.0.0.1`,
    ];
    const results: BenchResult[] = [
      compare('sync.firstSync.100k', 'ms', round(ms, 1), round(rawMs, 1)),
      { name: 'sync.firstSync.100k.longestStall', unit: 'ms', value: round(Math.max(...runs.map((r) => r.longestMs)), 1) },
    ];
    return { results, notes };
  });
}
