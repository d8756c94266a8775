// sync.converge.1k: two devices, each with 1 000 offline events on the SAME cart, converging through
// the real sync server, in headless Chromium. One real server (createApp behind @hono/node-server
// on 127.0.0.1, SQLite in a temp DATA_DIR) serves the built site AND /v1 on one origin, as
// `npm start` does. Each device is its own on-disk Chromium profile (its own IndexedDB) on the
// bench page ui/sync-device.html, which runs the app's cart log and client sync engine.
//
// Per run: A opens a cart (4 lines) and syncs it; B pulls it. Then, without syncing, each executes
// 1 000 commands on that cart (AddItem / ChangeQuantity pairs: one event each). Timed: A.syncNow(),
// B.syncNow() (version_conflict → pull, rebase: its 1 000 commands decided again on top of A's,
// push), A.syncNow() (pulls B's), repeated until both report pending 0 and equal cart views.
// Fresh user, fresh databases per run; the median of RUNS is reported. No physical baseline.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Page } from 'playwright';
import { createApp } from '../../src/server/app.ts';
import { mintToken } from '../../src/server/token.ts';
import type { BenchResult, ScenarioOutput } from './result.ts';
import { median, round } from './stats.ts';
import { openPage, withBrowser, type UiEnv } from './ui/context.ts';
import type { SyncDeviceApi } from './ui/sync-device.ts';

const EVENTS_PER_DEVICE = 1000;
const RUNS = 3;
const MAX_ROUNDS = 5;
const SKUS = ['FRU-001', 'FRU-002', 'FRU-003', 'FRU-004'];
const SECRET = 'bench-secret';

type DeviceWindow = Window & { syncDevice: SyncDeviceApi };

function deviceOf(page: Page) {
  return {
    open: (device: string, url: string, token: string) =>
      page.evaluate(([d, u, t]) => (window as unknown as DeviceWindow).syncDevice.open(d, u, t), [device, url, token] as const),
    createCart: (skus: string[]) => page.evaluate((s) => (window as unknown as DeviceWindow).syncDevice.createCart(s), skus),
    offline: (cartId: string, n: number, skus: string[]) =>
      page.evaluate(([c, k, s]) => (window as unknown as DeviceWindow).syncDevice.offline(c, k, s), [cartId, n, skus] as const),
    sync: () => page.evaluate(() => (window as unknown as DeviceWindow).syncDevice.sync()),
    view: (cartId: string) => page.evaluate((c) => (window as unknown as DeviceWindow).syncDevice.view(c), cartId),
    close: () => page.evaluate(() => (window as unknown as DeviceWindow).syncDevice.close()),
  };
}
type Device = ReturnType<typeof deviceOf>;

async function openDevice(page: Page, name: string, origin: string, token: string): Promise<Device> {
  await page.waitForSelector('body[data-ready="true"]');
  const device = deviceOf(page);
  await device.open(name, origin, token);
  return device;
}

function expectSynced(who: string, status: { state: string; pending: number; reason?: string }) {
  if (status.state !== 'synced' || status.pending !== 0)
    throw new Error(`sync-converge: ${who} is ${status.state} with ${status.pending} pending${status.reason ? ` (${status.reason})` : ''}`);
}

interface Run {
  ms: number;
  rounds: number;
  steps: number[];
}

async function once(run: number, origin: string, pages: readonly [Page, Page]): Promise<Run> {
  const token = await mintToken(`bench-converge-${randomUUID()}`, SECRET);
  const a = await openDevice(pages[0], `A-${run}`, origin, token);
  const b = await openDevice(pages[1], `B-${run}`, origin, token);
  try {
    const cartId = await a.createCart(SKUS);
    expectSynced('A (first push)', await a.sync());
    expectSynced('B (first pull)', await b.sync());
    const start = await b.view(cartId);
    if (!start || start.version !== 1 + SKUS.length) throw new Error(`sync-converge: B pulled version ${start?.version}, not ${1 + SKUS.length}`);

    const [written] = await Promise.all([a.offline(cartId, EVENTS_PER_DEVICE, SKUS), b.offline(cartId, EVENTS_PER_DEVICE, SKUS)]);
    if (written !== EVENTS_PER_DEVICE) throw new Error(`sync-converge: A wrote ${written} events, not ${EVENTS_PER_DEVICE}`);

    const steps: number[] = [];
    const step = async <T>(work: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const out = await work();
      steps.push(performance.now() - t);
      return out;
    };
    const t0 = performance.now();
    let rounds = 0;
    let views: string[] = [];
    for (;;) {
      rounds++;
      const sa = await step(a.sync);
      const sb = await step(b.sync);
      const sa2 = await step(a.sync);
      if (sa2.pending === 0 && sb.pending === 0 && sa2.state === 'synced' && sb.state === 'synced') {
        views = [JSON.stringify(await a.view(cartId)), JSON.stringify(await b.view(cartId))];
        if (views[0] === views[1]) break;
      }
      if (rounds === MAX_ROUNDS) throw new Error(`sync-converge: not converged after ${rounds} rounds (A ${JSON.stringify(sa)} → ${JSON.stringify(sa2)}, B ${JSON.stringify(sb)})`);
    }
    const ms = performance.now() - t0;

    const end = JSON.parse(views[0]!) as { version: number };
    const expected = 1 + SKUS.length + 2 * EVENTS_PER_DEVICE;
    if (end.version !== expected) throw new Error(`sync-converge: converged on version ${end.version}, not ${expected}`);
    return { ms, rounds, steps };
  } finally {
    await a.close();
    await b.close();
  }
}

export async function syncConvergeScenario(env: UiEnv): Promise<ScenarioOutput> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cartlog-bench-converge-'));
  const app = createApp({
    staticDir: env.site.dir,
    secret: SECRET,
    log: () => {},
    // Two devices of one user, each pulling in pages: far over the default 100 requests/s is never reached, but no 429 may skew a run.
    rateLimit: 100_000,
    env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${origin}/bench/ui/sync-device.html`;
  try {
    // Two profiles, open for all runs; every run uses new databases and a new user.
    const runs = await withBrowser(env, (first) =>
      withBrowser(env, async (second) => {
        const pages = [await openPage(first, url), await openPage(second, url)] as const;
        const out: Run[] = [];
        for (let run = 0; run < RUNS; run++) out.push(await once(run, origin, pages));
        return out;
      }),
    );
    const ms = runs.map((r) => r.ms);
    const notes = [
      `sync.converge.1k: median of ${runs.length} runs: ${runs.map((r) => `${Math.round(r.ms)} ms`).join(', ')}; ` +
        `steps A.syncNow / B.syncNow (conflict, pull, rebase ${EVENTS_PER_DEVICE}, push) / A.syncNow: ` +
        runs.map((r) => r.steps.map((s) => Math.round(s)).join(' / ') + (r.rounds > 1 ? ` (${r.rounds} rounds)` : '')).join('; ') +
        ` ms. Two Chromium profiles, one real server (app + /v1, SQLite) on 127.0.0.1; no physical baseline`,
    ];
    const results: BenchResult[] = [{ name: 'sync.converge.1k', unit: 'ms', value: round(median(ms), 1) }];
    return { results, notes };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
