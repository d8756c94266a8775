// Push throughput of the sync server with one log per user (issue 9): 10 000 valid cart events
// pushed over HTTP on 127.0.0.1 in requests of 100, by 1 user (sequential requests) and by 8
// users at once (1 250 events each, aggregate figure). SQLite: one server process. PostgreSQL
// (when DATABASE_URL is set): two server processes on one database, users spread over both, with
// the time pushes waited for their user's lock (measured inside PostgreSQL, and as the server saw
// the statement, round trip included).
// EVENT_RATE_LIMIT and RATE_LIMIT are raised so the limits do not shape the figures.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { mintToken } from '../../src/server/token.ts';
import { SECRET, startServerProcess, stopServerProcess, type ServerProcess } from '../server/processes.ts';
import { batches, manyCarts } from './fixtures.ts';
import type { BenchResult, ScenarioOutput } from './result.ts';

const EVENTS = 10_000;
const PUSH_BATCH = 100;
const USERS = 8;
const LIMITS = { EVENT_RATE_LIMIT: '10000000', RATE_LIMIT: '100000', USER_QUOTA: '100000000' };

interface LockWait {
  count: number;
  /** Inside PostgreSQL: the lock statement's own time, lock wait included. */
  waitedMs: number;
  waitedMaxMs: number;
  /** As the server process saw it: plus the round trip and the process's own scheduling. */
  statementMs: number;
}

/** Asks each process for the lock-wait figures gathered since the last ask (PostgreSQL only). */
async function lockWaits(servers: ServerProcess[]): Promise<LockWait> {
  const answers = await Promise.all(
    servers.map(async (server) => {
      const line = server.nextLine(/^lock-wait /);
      server.child.kill('SIGUSR2');
      return JSON.parse((await line).slice('lock-wait '.length)) as LockWait;
    }),
  );
  return answers.reduce(
    (sum, w) => ({ count: sum.count + w.count, waitedMs: sum.waitedMs + w.waitedMs, waitedMaxMs: Math.max(sum.waitedMaxMs, w.waitedMaxMs), statementMs: sum.statementMs + w.statementMs }),
    { count: 0, waitedMs: 0, waitedMaxMs: 0, statementMs: 0 },
  );
}

/** `users` users push EVENTS events between them, at once; each through server (its index mod the count). */
async function pushAll(servers: ServerProcess[], users: number): Promise<number> {
  const perUser = EVENTS / users;
  const work = await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      const authorization = `Bearer ${await mintToken(`bench-${randomUUID()}`, SECRET)}`;
      // Carts of 50 events: every request carries two whole streams.
      const bodies = batches(manyCarts(perUser / 50, 50, u * 1000), PUSH_BATCH).map((chunk) => JSON.stringify({ deviceId: `bench-${u}`, events: chunk }));
      return { authorization, bodies, base: servers[u % servers.length]!.base };
    }),
  );
  const started = performance.now();
  await Promise.all(
    work.map(async ({ authorization, bodies, base }) => {
      for (const body of bodies) {
        const response = await fetch(`${base}/v1/push`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
        if (!response.ok) throw new Error(`server-push: push answered ${response.status}: ${await response.text()}`);
        await response.json();
      }
    }),
  );
  return performance.now() - started;
}

async function measure(kind: 'sqlite' | 'postgres', env: Record<string, string | undefined>, processes: number, notes: string[]): Promise<BenchResult[]> {
  const servers = await Promise.all(Array.from({ length: processes }, () => startServerProcess({ ...LIMITS, ...env })));
  try {
    const results: BenchResult[] = [];
    for (const users of [1, USERS]) {
      if (kind === 'postgres') await lockWaits(servers);
      const ms = await pushAll(servers, users);
      const rate = EVENTS / (ms / 1000);
      results.push({ name: `server.push.${kind}.${users}user${users === 1 ? '' : 's'}`, unit: 'events/s', value: rate });
      let lock = '';
      if (kind === 'postgres') {
        const wait = await lockWaits(servers);
        const per = (ms: number) => ms / Math.max(1, wait.count);
        results.push({ name: `server.push.${kind}.${users}user${users === 1 ? '' : 's'}.lockWait`, unit: 'ms/push', value: per(wait.waitedMs) });
        lock =
          `; waited for the user's lock ${per(wait.waitedMs).toFixed(3)} ms/push mean (${wait.waitedMaxMs.toFixed(2)} ms max) inside PostgreSQL, ` +
          `${per(wait.statementMs).toFixed(2)} ms/push for that statement as the server saw it; ${wait.count} pushes`;
      }
      notes.push(
        `server-push ${kind}: ${users} user${users === 1 ? '' : 's'} at once, ${EVENTS} events in requests of ${PUSH_BATCH}, ${processes} server process${processes === 1 ? '' : 'es'}: ${Math.round(ms)} ms${lock}`,
      );
    }
    return results;
  } finally {
    await Promise.all(servers.map(stopServerProcess));
  }
}

export async function serverPushScenario(): Promise<ScenarioOutput> {
  const notes: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'cartlog-bench-server-'));
  const results: BenchResult[] = [];
  try {
    results.push(...(await measure('sqlite', { DATABASE_URL: '', CARTLOG_TEST_SQLITE: join(dir, 'cartlog.sqlite') }, 1, notes)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    notes.push('server-push postgres: skipped: DATABASE_URL not set');
    return { results, notes };
  }
  const schema = `cartlog_bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  try {
    results.push(...(await measure('postgres', { DATABASE_URL: url, CARTLOG_TEST_SCHEMA: schema }, 2, notes)));
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  return { results, notes };
}
