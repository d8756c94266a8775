// Sync throughput, from Node: the real server (createApp behind @hono/node-server on 127.0.0.1)
// over SQLite in a temp folder, and over PostgreSQL (a schema of its own, dropped after) when
// DATABASE_URL is set. 10 000 valid cart events pushed in 10 requests of 1000, then pulled back
// 1000 at a time. No physical baseline: nothing else in the run does the same work.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { createApp } from '../../src/server/app.ts';
import { openPostgresStorage, openSqliteStorage, type Storage } from '../../src/server/storage/index.ts';
import { mintToken } from '../../src/server/token.ts';
import { batches, manyCarts } from './fixtures.ts';
import type { BenchResult, ScenarioOutput } from './result.ts';

const EVENTS = 10_000;
const PUSH_BATCH = 1000;
const PULL_LIMIT = 1000;
const SECRET = 'bench-secret';

interface Place {
  open(): Promise<Storage>;
  drop(): Promise<void>;
}

async function sqlitePlace(): Promise<Place> {
  const dir = await mkdtemp(join(tmpdir(), 'cartlog-bench-sqlite-'));
  return { open: async () => openSqliteStorage({ file: join(dir, 'cartlog.sqlite') }), drop: () => rm(dir, { recursive: true, force: true }) };
}

function postgresPlace(url: string): Place {
  const schema = `cartlog_bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return {
    open: () => openPostgresStorage({ connectionString: url, schema }),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

async function measure(kind: string, place: Place, notes: string[]): Promise<BenchResult[]> {
  const storage = await place.open();
  const staticDir = await mkdtemp(join(tmpdir(), 'cartlog-bench-static-'));
  const app = createApp({ staticDir, log: () => {}, storage, secret: SECRET, rateLimit: 100_000, corsOrigins: [] });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const authorization = `Bearer ${await mintToken(`bench-${randomUUID()}`, SECRET)}`;
    // 100 carts × 100 events: every push request carries 10 whole streams, versions 1..100.
    const events = manyCarts(EVENTS / 100, 100);
    const bodies = batches(events, PUSH_BATCH).map((chunk) => JSON.stringify({ deviceId: 'bench-device', events: chunk }));

    const pushStart = performance.now();
    for (const body of bodies) {
      const response = await fetch(`${base}/push`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
      if (!response.ok) throw new Error(`sync ${kind}: push answered ${response.status}: ${await response.text()}`);
      await response.json();
    }
    const pushMs = performance.now() - pushStart;

    const pullStart = performance.now();
    let after = 0;
    let pulled = 0;
    let requests = 0;
    for (;;) {
      const response = await fetch(`${base}/pull?after=${after}&limit=${PULL_LIMIT}`, { headers: { authorization } });
      if (!response.ok) throw new Error(`sync ${kind}: pull answered ${response.status}: ${await response.text()}`);
      const page = (await response.json()) as { events: { position: number }[]; more: boolean };
      requests++;
      pulled += page.events.length;
      if (page.events.length) after = page.events[page.events.length - 1]!.position;
      if (!page.more) break;
    }
    const pullMs = performance.now() - pullStart;
    if (pulled !== EVENTS) throw new Error(`sync ${kind}: pulled ${pulled} events, not ${EVENTS}`);

    const bytes = bodies.reduce((sum, b) => sum + b.length, 0);
    notes.push(
      `sync ${kind}: push ${EVENTS} events in ${bodies.length} requests (${Math.round(bytes / bodies.length / 1024)} KiB each) ${Math.round(pushMs)} ms; ` +
        `pull in ${requests} requests ${Math.round(pullMs)} ms (HTTP on 127.0.0.1, one client, sequential requests; no physical baseline)`,
    );
    return [
      { name: `sync.push.${kind}`, unit: 'events/s', value: EVENTS / (pushMs / 1000) },
      { name: `sync.pull.${kind}`, unit: 'events/s', value: EVENTS / (pullMs / 1000) },
    ];
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
    await storage.close();
    await place.drop();
    await rm(staticDir, { recursive: true, force: true });
  }
}

export async function syncScenario(): Promise<ScenarioOutput> {
  const notes: string[] = [];
  const results = await measure('sqlite', await sqlitePlace(), notes);
  const url = process.env.DATABASE_URL;
  if (url) results.push(...(await measure('postgres', postgresPlace(url), notes)));
  else notes.push('sync postgres: skipped: DATABASE_URL not set');
  return { results, notes };
}
