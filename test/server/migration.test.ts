// A data folder (SQLite) or schema (PostgreSQL) made by the first release — one global position
// counter, ids unique across users — still serves its users after the upgrade: every event at
// its position, one log per user, kept across restarts. The old tables are written here exactly
// as the first release made them (src/server/storage/*.ts at f322282).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStorage, openSqliteStorage, type Storage } from '../../src/server/storage/index.ts';
import type { PullResponse, PushResponse, PushedEvent } from '../../src/sync/protocol.ts';
import { apiApp, cartEvent, cartEvents, clientFor, DATABASE_URL, newCart, newUser } from './helpers.ts';

const FIRST_RELEASE_SQLITE = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (stream_id, version)
  );
  CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, position);
  CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
  INSERT OR IGNORE INTO counter VALUES (1, 0);
`;

const firstReleasePostgres = (s: string) => `
  CREATE SCHEMA ${s};
  CREATE TABLE ${s}.cartlog_events (
    position BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body JSON NOT NULL,
    UNIQUE (stream_id, version)
  );
  CREATE INDEX IF NOT EXISTS cartlog_events_by_user ON ${s}.cartlog_events (user_id, position);
  CREATE TABLE ${s}.cartlog_streams (
    stream_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE TABLE ${s}.cartlog_counter (id INTEGER PRIMARY KEY CHECK (id = 1), position BIGINT NOT NULL);
  INSERT INTO ${s}.cartlog_counter VALUES (1, 0) ON CONFLICT DO NOTHING;
`;

interface OldRow {
  position: number;
  event: PushedEvent;
  userId: string;
}

/** Two users' pushes interleaved under the old global counter: alice 1, 2, 5; bob 3, 4. */
function oldHistory(): { rows: OldRow[]; streams: { streamId: string; userId: string; version: number }[]; alice: string; bob: string } {
  const [alice, bob] = [newUser(), newUser()];
  const [aCart, bCart] = [newCart(), newCart()];
  const a = cartEvents(aCart, 1, 3);
  const b = cartEvents(bCart, 1, 2);
  const rows = [
    { position: 1, event: a[0]!, userId: alice },
    { position: 2, event: a[1]!, userId: alice },
    { position: 3, event: b[0]!, userId: bob },
    { position: 4, event: b[1]!, userId: bob },
    { position: 5, event: a[2]!, userId: alice },
  ];
  return { rows, streams: [{ streamId: aCart, userId: alice, version: 3 }, { streamId: bCart, userId: bob, version: 2 }], alice, bob };
}

/** What every upgraded storage must show: the old events at their positions, a log per user, and pushes going on. */
async function expectServes(open: () => Promise<Storage>, history: ReturnType<typeof oldHistory>): Promise<void> {
  const storage = await open();
  const app = apiApp(storage);
  const logs = new Map<string, string>();
  try {
    for (const userId of [history.alice, history.bob]) {
      const mine = history.rows.filter((row) => row.userId === userId);
      const page = (await (await (await clientFor(app, userId)).pull()).json()) as PullResponse;
      expect(page.events).toEqual(mine.map((row) => ({ ...row.event, position: row.position })));
      expect(page.head).toBe(mine.at(-1)!.position);
      // A device that held these positions before the upgrade checks them and finds them there.
      const check = await (await clientFor(app, userId)).pull(`after=${mine[0]!.position}&check=${mine[0]!.event.id}`);
      expect(check.status).toBe(200);
      logs.set(userId, page.log);
    }
    expect(new Set(logs.values()).size).toBe(2);
    // Alice's next event follows her head; bob's stream goes on at its version.
    const alice = await clientFor(app, history.alice);
    const aCart = history.streams[0]!.streamId;
    const next = (await (await alice.push([cartEvent(aCart, 4)])).json()) as PushResponse;
    expect(next.events[0]!.position).toBe(6);
    expect(next.log).toBe(logs.get(history.alice));
    const conflict = await (await clientFor(app, history.bob)).push([cartEvent(history.streams[1]!.streamId, 2)]);
    expect(await conflict.json()).toMatchObject({ error: 'version_conflict', expectedVersion: 3, log: logs.get(history.bob) });
  } finally {
    await app.close();
    await storage.close();
  }
  // A restart keeps every log: the devices' positions still belong to it.
  const again = await open();
  const reopened = apiApp(again);
  try {
    for (const [userId, log] of logs) expect(((await (await (await clientFor(reopened, userId)).pull()).json()) as PullResponse).log).toBe(log);
  } finally {
    await reopened.close();
    await again.close();
  }
}

describe('upgrading a first-release SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cartlog-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every event at its position and gives each user a log', async () => {
    const file = join(dir, `${randomUUID()}.sqlite`);
    const history = oldHistory();
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(FIRST_RELEASE_SQLITE);
    const insert = old.prepare('INSERT INTO events (position, id, user_id, stream_id, version, body) VALUES (?, ?, ?, ?, ?, ?)');
    for (const { position, event, userId } of history.rows) insert.run(position, event.id, userId, event.streamId, event.version, JSON.stringify(event));
    for (const { streamId, userId, version } of history.streams) old.prepare('INSERT INTO streams VALUES (?, ?, ?)').run(streamId, userId, version);
    old.prepare('UPDATE counter SET position = 5').run();
    old.close();

    await expectServes(async () => openSqliteStorage({ file }), history);
    const upgraded = new Database(file, { readonly: true });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(2);
    upgraded.close();
  });
});

describe.skipIf(!DATABASE_URL)('upgrading a first-release PostgreSQL schema', () => {
  const schema = `cartlog_migrate_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const s = `"${schema}"`;
  const admin = () => new pg.Client({ connectionString: DATABASE_URL });
  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  });

  it('keeps every event at its position and gives each user a log, once, with two processes starting at once', async () => {
    const history = oldHistory();
    const client = admin();
    await client.connect();
    try {
      await client.query(firstReleasePostgres(s));
      for (const { position, event, userId } of history.rows)
        await client.query(`INSERT INTO ${s}.cartlog_events VALUES ($1, $2, $3, $4, $5, $6)`, [position, event.id, userId, event.streamId, event.version, JSON.stringify(event)]);
      for (const { streamId, userId, version } of history.streams) await client.query(`INSERT INTO ${s}.cartlog_streams VALUES ($1, $2, $3)`, [streamId, userId, version]);
      await client.query(`UPDATE ${s}.cartlog_counter SET position = 5`);
    } finally {
      await client.end();
    }
    // Two processes upgrading at the same moment: the advisory lock lets one do it.
    const both = await Promise.all([0, 1].map(() => openPostgresStorage({ connectionString: DATABASE_URL!, schema })));
    await Promise.all(both.map((storage) => storage.close()));
    await expectServes(() => openPostgresStorage({ connectionString: DATABASE_URL!, schema }), history);
  });
});
