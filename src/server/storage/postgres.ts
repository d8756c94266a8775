// The upstream log in PostgreSQL, shared by any number of server processes. Each user has a row
// that a storing push locks first (FOR UPDATE, via the upsert) and holds until COMMIT: one user's
// pushes commit one at a time, in position order, so a puller that has seen position n has seen
// everything of theirs below it — and pushes of different users never wait on each other.
// Commits are announced with NOTIFY, which PostgreSQL delivers only once the transaction commits.
import pg from 'pg';
import type { ConfirmedEvent, PushedEvent } from '../../sync/protocol.ts';
import { isRejection, planPush, positionsOf, type Known } from './plan.ts';
import { CHANNEL, listen } from './postgres-listen.ts';
import { migratePostgres, tableNames } from './postgres-schema.ts';
import { deletionStamp, isRevoked, settle, type Caller, type CommitListener, type PullOutcome, type PushOutcome, type Storage } from './types.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Where the tables live; tests use a schema of their own. Default `public`. */
  schema?: string;
  /** Pool size. Held pulls wait in memory, not on a connection, so a few go a long way. */
  max?: number;
  /**
   * Called for each push with how long it waited for its user's lock inside PostgreSQL
   * (`waitedMs`: the upsert's own time, lock wait included, network excluded) and how long the
   * statement took as this process saw it (`statementMs`), for the bench.
   */
  onLockWait?: (wait: { waitedMs: number; statementMs: number }) => void;
}

/** A result decided inside a transaction that must not commit (e.g. a stream claimed meanwhile by another user). */
class Rollback<T> {
  constructor(readonly value: T) {}
}

export async function openPostgresStorage({ connectionString, schema = 'public', max = 10, onLockWait }: PostgresOptions): Promise<Storage> {
  const { t } = tableNames(schema);
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its connection is reported here; the next query simply gets another.
  pool.on('error', (error) => console.error(`cartlog: PostgreSQL pool: ${error.message}`));

  let notifications: { close(): Promise<void> };
  const listeners = new Set<CommitListener>();
  const emit = (userId: string | undefined) => listeners.forEach((listener) => listener(userId));
  try {
    await migratePostgres(pool, (work) => transaction(pool, work), schema);
    notifications = await listen(connectionString, (userId) => emit(userId));
  } catch (error) {
    await pool.end();
    throw error;
  }

  /** Locks the user's row until COMMIT, drawing their log if they have none. */
  const lockUser = async (client: pg.PoolClient, userId: string) => {
    const started = performance.now();
    const { rows } = await client.query(
      `INSERT INTO ${t.users} AS u (user_id, log) VALUES ($1, gen_random_uuid()::text)
       ON CONFLICT (user_id) DO UPDATE SET log = coalesce(u.log, EXCLUDED.log)
       RETURNING log, position, stored, not_before,
                 extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000 AS waited_ms`,
      [userId],
    );
    onLockWait?.({ waitedMs: Number(rows[0].waited_ms), statementMs: performance.now() - started });
    const row = rows[0];
    return { log: row.log as string, position: Number(row.position), stored: Number(row.stored), notBefore: row.not_before === null ? null : Number(row.not_before) };
  };

  async function push(caller: Caller, events: PushedEvent[], { quota = Number.POSITIVE_INFINITY } = {}): Promise<PushOutcome> {
    const { userId } = caller;
    const outcome = await transaction(pool, async (client): Promise<PushOutcome | Rollback<PushOutcome>> => {
      const user = await lockUser(client, userId);
      if (isRevoked(user.notBefore, caller.issuedAt)) return new Rollback({ ok: false, rejection: { kind: 'revoked' } });
      const { log } = user;
      if (events.length === 0) return { ok: true, positions: [], head: user.position, log };
      const streamIds = [...new Set(events.map((e) => e.streamId))];
      const stored = await client.query(`SELECT id, position, body FROM ${t.events} WHERE user_id = $1 AND id = ANY($2::text[])`, [
        userId,
        events.map((e) => e.id),
      ]);
      const streams = await client.query(
        `SELECT o.stream_id, o.user_id, coalesce(s.version, 0) AS version FROM ${t.owners} o
         LEFT JOIN ${t.streams} s ON s.user_id = $1 AND s.stream_id = o.stream_id
         WHERE o.stream_id = ANY($2::text[])`,
        [userId, streamIds],
      );
      const known: Known = {
        events: new Map(stored.rows.map((row) => [row.id, { event: row.body, position: Number(row.position) }])),
        streams: new Map(streams.rows.map((row) => [row.stream_id, { userId: row.user_id, version: row.version }])),
      };
      const plan = planPush(userId, events, known);
      if (isRejection(plan)) return { ok: false, rejection: plan, log };
      if (plan.fresh.length === 0) return { ok: true, positions: positionsOf(plan.slots, 0), head: user.position, log };
      if (user.stored + plan.fresh.length > quota) return { ok: false, rejection: { kind: 'quota_exceeded', limit: quota }, log };

      // Another user may be claiming the same new stream right now: the insert waits for their
      // commit and then claims nothing, and this push is refused as theirs (403, never a 500).
      // Sorted, so two pushes claiming the same streams never wait on each other in a circle.
      const created = plan.streams.filter((stream) => stream.created).map((stream) => stream.streamId);
      if (created.length > 0) {
        const claimed = await client.query(
          `INSERT INTO ${t.owners} (stream_id, user_id) SELECT stream_id, $1 FROM unnest($2::text[]) AS c(stream_id)
           ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id`,
          [userId, created.sort()],
        );
        if (claimed.rowCount !== created.length) {
          const mine = new Set(claimed.rows.map((row) => row.stream_id as string));
          const index = events.findIndex((e) => created.includes(e.streamId) && !mine.has(e.streamId));
          return new Rollback({ ok: false, rejection: { kind: 'forbidden', index, streamId: events[index]!.streamId } });
        }
      }

      const first = user.position + 1;
      const last = user.position + plan.fresh.length;
      // One statement: the events, the streams' new versions, the user's head and the announcement.
      await client.query(
        `WITH added AS (
           INSERT INTO ${t.events} (user_id, position, id, stream_id, version, body)
           SELECT $1::text, position, id, stream_id, version, body::json
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) AS e(position, id, stream_id, version, body)
         ), moved AS (
           INSERT INTO ${t.streams} (user_id, stream_id, version)
           SELECT $1::text, stream_id, version FROM unnest($7::text[], $8::int[]) AS s(stream_id, version)
           ON CONFLICT (user_id, stream_id) DO UPDATE SET version = EXCLUDED.version
         ), counted AS (
           UPDATE ${t.users} SET position = $9, stored = stored + $10 WHERE user_id = $1
         )
         SELECT pg_notify($11::text, $1::text)`,
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
          plan.fresh.length,
          CHANNEL,
        ],
      );
      return { ok: true, positions: positionsOf(plan.slots, first), head: last, log };
    });
    // This process's pullers need not wait for the NOTIFY to come back round.
    if (outcome.ok && events.length > 0) emit(userId);
    return outcome;
  }

  /** One statement is one snapshot: the user's head, the event at `after`, and the page up to that head. */
  const readPage = async (userId: string, after: number, limit: number) => {
    const { rows } = await pool.query(
      `SELECT u.log, u.position AS head, u.not_before,
              (SELECT id FROM ${t.events} WHERE user_id = $1 AND position = $2) AS at_after,
              e.position, e.body
       FROM ${t.users} u LEFT JOIN LATERAL (
         SELECT position, body FROM ${t.events}
         WHERE user_id = $1 AND position > $2 AND position <= u.position ORDER BY position LIMIT $3
       ) e ON true
       WHERE u.user_id = $1`,
      [userId, after, limit + 1],
    );
    return rows;
  };

  async function pull(caller: Caller, { after, limit, check }: { after: number; limit: number; check?: string }): Promise<PullOutcome> {
    let rows = await readPage(caller.userId, after, limit);
    if (rows.length === 0 || rows[0].log === null) {
      // A user's first look draws their log: a write, taken only this once.
      const drawn = await transaction(pool, async (client) => {
        const user = await lockUser(client, caller.userId);
        return isRevoked(user.notBefore, caller.issuedAt) ? new Rollback(false) : true;
      });
      if (!drawn) return { ok: false, rejection: { kind: 'revoked' } };
      rows = await readPage(caller.userId, after, limit);
    }
    const [user] = rows;
    if (isRevoked(user.not_before === null ? null : Number(user.not_before), caller.issuedAt)) return { ok: false, rejection: { kind: 'revoked' } };
    const log = user.log as string;
    const head = Number(user.head);
    if (check !== undefined && user.at_after !== check) return { ok: false, rejection: { kind: 'cursor_mismatch', log, head } };
    const found = rows.filter((row) => row.position !== null);
    const events = found.slice(0, limit).map((row) => ({ ...row.body, position: Number(row.position) }) as ConfirmedEvent);
    return { ok: true, page: { events, head, more: found.length > limit, log } };
  }

  return {
    push,
    pull,
    async revoked(caller) {
      const { rows } = await pool.query(`SELECT not_before FROM ${t.users} WHERE user_id = $1`, [caller.userId]);
      return isRevoked(rows[0]?.not_before === null || rows[0] === undefined ? null : Number(rows[0].not_before), caller.issuedAt);
    },
    async deleteUser(userId) {
      const { count, notBefore } = await transaction(pool, async (client) => {
        // The push lock: a push of this user in flight commits first, or starts after and finds
        // the log ended and its token refused — it never re-creates half a stream.
        await lockUser(client, userId);
        const { notBefore } = deletionStamp();
        await client.query(`DELETE FROM ${t.streams} WHERE user_id = $1`, [userId]);
        await client.query(`DELETE FROM ${t.owners} WHERE user_id = $1`, [userId]);
        const removed = await client.query(`DELETE FROM ${t.events} WHERE user_id = $1`, [userId]);
        await client.query(`UPDATE ${t.users} SET log = NULL, position = 0, stored = 0, not_before = $2 WHERE user_id = $1`, [userId, notBefore]);
        return { count: removed.rowCount ?? 0, notBefore };
      });
      await settle(notBefore);
      return count;
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

async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T | Rollback<T>>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query(result instanceof Rollback ? 'ROLLBACK' : 'COMMIT');
    client.release();
    return result instanceof Rollback ? result.value : result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    // A client whose connection failed must not go back to the pool.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}
