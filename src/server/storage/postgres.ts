// The upstream log in PostgreSQL, shared by any number of server processes. Positions come from
// one counter row that a storing push locks first and holds until COMMIT: pushes commit one at a
// time, in position order, so a puller that has seen position n has seen everything below it.
// Commits are announced with NOTIFY, which PostgreSQL delivers only once the transaction commits.
import pg from 'pg';
import type { ConfirmedEvent, PushedEvent } from '../../sync/protocol.ts';
import { isRejection, planPush, positionsOf, type Known } from './plan.ts';
import type { CommitListener, PushOutcome, Storage } from './types.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Where the tables live; tests use a schema of their own. Default `public`. */
  schema?: string;
  /** Pool size. Held pulls wait in memory, not on a connection, so a few go a long way. */
  max?: number;
}

const CHANNEL = 'cartlog_commits';
/** Any constant: it only keeps two processes from creating the tables at the same moment. */
const MIGRATION_LOCK = 0x6361_7274; // "cart"
const RECONNECT_MS = 500;

export async function openPostgresStorage({ connectionString, schema = 'public', max = 10 }: PostgresOptions): Promise<Storage> {
  const s = `"${schema.replaceAll('"', '""')}"`;
  const t = { events: `${s}.cartlog_events`, streams: `${s}.cartlog_streams`, counter: `${s}.cartlog_counter` };
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its connection is reported here; the next query simply gets another.
  pool.on('error', (error) => console.error(`cartlog: PostgreSQL pool: ${error.message}`));

  let notifications: { close(): Promise<void> };
  const listeners = new Set<CommitListener>();
  const emit = (userId: string | undefined) => listeners.forEach((listener) => listener(userId));
  try {
    await createTables(pool, s, t);
    notifications = await listen(connectionString, (userId) => emit(userId));
  } catch (error) {
    await pool.end();
    throw error;
  }

  async function head(client: pg.PoolClient | pg.Pool, userId: string): Promise<number> {
    const { rows } = await client.query(`SELECT coalesce(max(position), 0) AS head FROM ${t.events} WHERE user_id = $1`, [userId]);
    return Number(rows[0].head);
  }

  async function push(userId: string, events: PushedEvent[]): Promise<PushOutcome> {
    if (events.length === 0) return { ok: true, positions: [], head: await head(pool, userId) };
    const outcome = await transaction(pool, async (client): Promise<PushOutcome> => {
      const locked = await client.query(`SELECT position FROM ${t.counter} WHERE id = 1 FOR UPDATE`);
      const counter = Number(locked.rows[0].position);
      const stored = await client.query(`SELECT id, position, body FROM ${t.events} WHERE id = ANY($1::text[])`, [events.map((e) => e.id)]);
      const streams = await client.query(`SELECT stream_id, user_id, version FROM ${t.streams} WHERE stream_id = ANY($1::text[])`, [
        [...new Set(events.map((e) => e.streamId))],
      ]);
      const known: Known = {
        events: new Map(stored.rows.map((row) => [row.id, { event: row.body, position: Number(row.position) }])),
        streams: new Map(streams.rows.map((row) => [row.stream_id, { userId: row.user_id, version: row.version }])),
      };
      const plan = planPush(userId, events, known);
      if (isRejection(plan)) return { ok: false, rejection: plan };
      if (plan.fresh.length === 0) return { ok: true, positions: positionsOf(plan.slots, 0), head: await head(client, userId) };

      const first = counter + 1;
      const last = counter + plan.fresh.length;
      // One statement: the events, the streams' new versions, the counter and the announcement.
      await client.query(
        `WITH added AS (
           INSERT INTO ${t.events} (position, id, user_id, stream_id, version, body)
           SELECT position, id, $1::text, stream_id, version, body::json
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) AS e(position, id, stream_id, version, body)
         ), moved AS (
           INSERT INTO ${t.streams} (stream_id, user_id, version)
           SELECT stream_id, $1::text, version FROM unnest($7::text[], $8::int[]) AS s(stream_id, version)
           ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version
         ), counted AS (
           UPDATE ${t.counter} SET position = $9 WHERE id = 1
         )
         SELECT pg_notify($10::text, $1::text)`,
        [
          userId,
          plan.fresh.map((_, n) => first + n),
          plan.fresh.map((e) => e.id),
          plan.fresh.map((e) => e.streamId),
          plan.fresh.map((e) => e.version),
          plan.fresh.map((e) => JSON.stringify(e)),
          plan.streams.map((stream) => stream.streamId),
          plan.streams.map((stream) => stream.version),
          last,
          CHANNEL,
        ],
      );
      // The newest position of all is this user's now, so it is their head.
      return { ok: true, positions: positionsOf(plan.slots, first), head: last };
    });
    // This process's pullers need not wait for the NOTIFY to come back round.
    if (outcome.ok) emit(userId);
    return outcome;
  }

  return {
    push,
    async pull(userId, after, limit) {
      // One statement is one snapshot: the page stops at the head it reports.
      const { rows } = await pool.query(
        `WITH h AS (SELECT coalesce(max(position), 0) AS head FROM ${t.events} WHERE user_id = $1)
         SELECT h.head, e.position, e.body FROM h LEFT JOIN LATERAL (
           SELECT position, body FROM ${t.events}
           WHERE user_id = $1 AND position > $2 AND position <= h.head ORDER BY position LIMIT $3
         ) e ON true`,
        [userId, after, limit + 1],
      );
      const found = rows.filter((row) => row.position !== null);
      const events = found.slice(0, limit).map((row) => ({ ...row.body, position: Number(row.position) }) as ConfirmedEvent);
      return { events, head: Number(rows[0].head), more: found.length > limit };
    },
    async deleteUser(userId) {
      return transaction(pool, async (client) => {
        await client.query(`DELETE FROM ${t.streams} WHERE user_id = $1`, [userId]);
        return (await client.query(`DELETE FROM ${t.events} WHERE user_id = $1`, [userId])).rowCount ?? 0;
      });
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await notifications.close();
      await pool.end();
    },
  };
}

/**
 * Creates what is missing. Skipped when the tables exist, so a role that may use but not create
 * them (tables made once by an administrator) runs too; under a lock, so two processes starting
 * together don't both create.
 */
async function createTables(pool: pg.Pool, s: string, t: Record<'events' | 'streams' | 'counter', string>): Promise<void> {
  const exists = async (client: pg.Pool | pg.PoolClient) =>
    (await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [t.counter])).rows[0].found as boolean;
  if (await exists(pool)) return;
  await transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (await exists(client)) return;
    // CREATE SCHEMA wants a right on the database even when the schema exists: ask only for ours.
    if (s !== '"public"') await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${t.events} (
        position BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body JSON NOT NULL,
        UNIQUE (stream_id, version)
      );
      CREATE INDEX IF NOT EXISTS cartlog_events_by_user ON ${t.events} (user_id, position);
      CREATE TABLE IF NOT EXISTS ${t.streams} (
        stream_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${t.counter} (id INTEGER PRIMARY KEY CHECK (id = 1), position BIGINT NOT NULL);
      INSERT INTO ${t.counter} VALUES (1, 0) ON CONFLICT DO NOTHING;
    `);
  });
}

async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    // A client whose connection failed must not go back to the pool.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

/**
 * A connection of its own that LISTENs for commits by every process. If it drops, it comes back,
 * and everyone is woken once, since a commit may have been missed in between.
 */
async function listen(connectionString: string, onCommit: (userId: string | undefined) => void) {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel === CHANNEL) onCommit(message.payload || undefined);
    });
    next.on('error', (error) => {
      console.error(`cartlog: PostgreSQL LISTEN connection: ${error.message}`);
      lost(next);
    });
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      next.end().catch(() => {});
      throw error;
    }
    client = next;
  };

  const lost = (which: pg.Client) => {
    if (which !== client) return;
    client = undefined;
    which.end().catch(() => {});
    reconnectLater();
  };

  const reconnectLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => onCommit(undefined),
        (error: Error) => {
          console.error(`cartlog: PostgreSQL LISTEN reconnect failed: ${error.message}`);
          reconnectLater();
        },
      );
    }, RECONNECT_MS);
    retry.unref();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end();
    },
  };
}
