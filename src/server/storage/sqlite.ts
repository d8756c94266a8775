// The upstream log in one SQLite file (better-sqlite3, synchronous). A push is one BEGIN IMMEDIATE
// transaction: SQLite has one writer, so a user's positions are taken in commit order, even when
// several processes share the file. Positions are numbered per user (CONTRACT §5).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ConfirmedEvent, PushedEvent } from '../../sync/protocol.ts';
import { isRejection, planPush, positionsOf, type Known } from './plan.ts';
import { migrateSqlite } from './sqlite-schema.ts';
import { deletionStamp, isRevoked, settle, type Caller, type CommitListener, type PullOutcome, type PushOutcome, type Storage } from './types.ts';

/** How often held pulls look for commits made by another process on the same file. */
const FOREIGN_COMMIT_POLL_MS = 250;

interface UserRow {
  log: string | null;
  position: number;
  stored: number;
  not_before: number | null;
}

/**
 * Runs `work` again while SQLite answers SQLITE_BUSY, for up to `forMs`. Two processes opening a
 * new file at once both switch it to WAL; each holds a shared lock and wants the exclusive one,
 * so SQLite refuses one of them at once rather than wait (waiting would deadlock): busy_timeout
 * does not cover it. Seen in CI: one of two servers started together exited with "database is
 * locked".
 */
export function retryWhileBusy<T>(work: () => T, forMs = 5000, pauseMs = 20): T {
  const until = Date.now() + forMs;
  for (;;) {
    try {
      return work();
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= until) throw error;
      // A synchronous pause: the open is synchronous, and nothing else may run in between.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    }
  }
}

export function openSqliteStorage({ file }: { file: string }): Storage {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Another process may hold the write lock for a moment; wait instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  retryWhileBusy(() => db.pragma('journal_mode = WAL'));
  // An acknowledged push must survive a power cut, not only a crash of this process: FULL syncs
  // the WAL on every commit (NORMAL could lose the last commits if the machine goes down).
  db.pragma('synchronous = FULL');
  migrateSqlite(db);

  const q = {
    user: db.prepare<[string], UserRow>('SELECT log, position, stored, not_before FROM users WHERE user_id = ?'),
    drawLog: db.prepare<[string, string]>(
      `INSERT INTO users (user_id, log) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET log = coalesce(users.log, excluded.log)`,
    ),
    eventsById: db.prepare<[string, string], { id: string; position: number; body: string }>(
      'SELECT id, position, body FROM events WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))',
    ),
    streams: db.prepare<[string, string], { stream_id: string; user_id: string; version: number }>(
      `SELECT o.stream_id, o.user_id, coalesce(s.version, 0) AS version FROM stream_owners o
       LEFT JOIN streams s ON s.user_id = ? AND s.stream_id = o.stream_id
       WHERE o.stream_id IN (SELECT value FROM json_each(?))`,
    ),
    insert: db.prepare('INSERT INTO events (user_id, position, id, stream_id, version, body) VALUES (?, ?, ?, ?, ?, ?)'),
    claimStream: db.prepare('INSERT INTO stream_owners (stream_id, user_id) VALUES (?, ?)'),
    createStream: db.prepare('INSERT INTO streams (user_id, stream_id, version) VALUES (?, ?, ?)'),
    moveStream: db.prepare('UPDATE streams SET version = ? WHERE user_id = ? AND stream_id = ?'),
    advance: db.prepare('UPDATE users SET position = position + ?, stored = stored + ? WHERE user_id = ?'),
    eventAt: db.prepare<[string, number], { id: string }>('SELECT id FROM events WHERE user_id = ? AND position = ?'),
    page: db.prepare<[string, number, number, number], { position: number; body: string }>(
      'SELECT position, body FROM events WHERE user_id = ? AND position > ? AND position <= ? ORDER BY position LIMIT ?',
    ),
    deleteEvents: db.prepare('DELETE FROM events WHERE user_id = ?'),
    deleteStreams: db.prepare('DELETE FROM streams WHERE user_id = ?'),
    deleteOwners: db.prepare('DELETE FROM stream_owners WHERE user_id = ?'),
    endLog: db.prepare(
      `INSERT INTO users (user_id, log, position, stored, not_before) VALUES (?, NULL, 0, 0, ?)
       ON CONFLICT (user_id) DO UPDATE SET log = NULL, position = 0, stored = 0, not_before = excluded.not_before`,
    ),
  };

  /** The user's row with a log drawn: inside a write transaction. */
  const userWithLog = (userId: string): UserRow & { log: string } => {
    const user = q.user.get(userId);
    if (user?.log) return user as UserRow & { log: string };
    q.drawLog.run(userId, randomUUID());
    return q.user.get(userId) as UserRow & { log: string };
  };

  const pushTransaction = db.transaction((caller: Caller, events: PushedEvent[], quota: number): PushOutcome => {
    const { userId } = caller;
    if (isRevoked(q.user.get(userId)?.not_before, caller.issuedAt)) return { ok: false, rejection: { kind: 'revoked' } };
    const user = userWithLog(userId);
    const ids = JSON.stringify(events.map((event) => event.id));
    const streamIds = JSON.stringify([...new Set(events.map((event) => event.streamId))]);
    const known: Known = {
      events: new Map(q.eventsById.all(userId, ids).map((row) => [row.id, { event: JSON.parse(row.body), position: row.position }])),
      streams: new Map(q.streams.all(userId, streamIds).map((row) => [row.stream_id, { userId: row.user_id, version: row.version }])),
    };
    const plan = planPush(userId, events, known);
    if (isRejection(plan)) return { ok: false, rejection: plan, log: user.log };
    if (plan.fresh.length === 0) return { ok: true, positions: positionsOf(plan.slots, 0), head: user.position, log: user.log };
    if (user.stored + plan.fresh.length > quota) return { ok: false, rejection: { kind: 'quota_exceeded', limit: quota }, log: user.log };

    const first = user.position + 1;
    for (const [n, event] of plan.fresh.entries())
      q.insert.run(userId, first + n, event.id, event.streamId, event.version, JSON.stringify(event));
    for (const stream of plan.streams)
      if (stream.created) {
        q.claimStream.run(stream.streamId, userId);
        q.createStream.run(userId, stream.streamId, stream.version);
      } else q.moveStream.run(stream.version, userId, stream.streamId);
    q.advance.run(plan.fresh.length, plan.fresh.length, userId);
    return { ok: true, positions: positionsOf(plan.slots, first), head: user.position + plan.fresh.length, log: user.log };
  });

  // The user row, then the page up to its head, in one read transaction: the page and head agree.
  const pullTransaction = db.transaction((caller: Caller, after: number, limit: number, check: string | undefined): PullOutcome | 'no log' => {
    const user = q.user.get(caller.userId);
    if (isRevoked(user?.not_before, caller.issuedAt)) return { ok: false, rejection: { kind: 'revoked' } };
    if (!user?.log) return 'no log';
    const { log, position: head } = user;
    if (check !== undefined && q.eventAt.get(caller.userId, after)?.id !== check)
      return { ok: false, rejection: { kind: 'cursor_mismatch', log, head } };
    const rows = q.page.all(caller.userId, after, head, limit + 1);
    const more = rows.length > limit;
    const events = rows.slice(0, limit).map((row) => ({ ...JSON.parse(row.body), position: row.position }) as ConfirmedEvent);
    return { ok: true, page: { events, head, more, log } };
  });

  const listeners = new Set<CommitListener>();
  const emit = (userId: string | undefined) => listeners.forEach((listener) => listener(userId));

  // data_version changes when another connection (another process) commits to the file; there
  // is no way to hear it, so it is polled, and only while someone is waiting.
  let poll: NodeJS.Timeout | undefined;
  let seenVersion = 0;
  const watchForeignCommits = (on: boolean) => {
    if (on && !poll) {
      seenVersion = db.pragma('data_version', { simple: true }) as number;
      poll = setInterval(() => {
        const version = db.pragma('data_version', { simple: true }) as number;
        if (version !== seenVersion) emit(undefined);
        seenVersion = version;
      }, FOREIGN_COMMIT_POLL_MS);
      poll.unref();
    } else if (!on && poll) {
      clearInterval(poll);
      poll = undefined;
    }
  };

  return {
    async push(caller, events, { quota = Number.POSITIVE_INFINITY } = {}) {
      const outcome = pushTransaction.immediate(caller, events, quota);
      // A push of retries only wakes pullers for nothing; they look, find nothing and wait on.
      if (outcome.ok && events.length > 0) emit(caller.userId);
      return outcome;
    },
    async pull(caller, { after, limit, check }) {
      const outcome = pullTransaction(caller, after, limit, check);
      if (outcome !== 'no log') return outcome;
      // A user's first look draws their log: a write, taken only this once.
      db.transaction(() => {
        if (!isRevoked(q.user.get(caller.userId)?.not_before, caller.issuedAt)) userWithLog(caller.userId);
      }).immediate();
      const again = pullTransaction(caller, after, limit, check);
      return again === 'no log' ? { ok: false, rejection: { kind: 'revoked' } } : again;
    },
    async revoked(caller) {
      return isRevoked(q.user.get(caller.userId)?.not_before, caller.issuedAt);
    },
    async deleteUser(userId) {
      // Stamped under the write lock: a token minted while the deletion waited for it is older.
      const { count, notBefore } = db
        .transaction(() => {
          const { notBefore } = deletionStamp();
          q.deleteStreams.run(userId);
          q.deleteOwners.run(userId);
          const count = q.deleteEvents.run(userId).changes;
          q.endLog.run(userId, notBefore);
          return { count, notBefore };
        })
        .immediate();
      await settle(notBefore);
      return count;
    },
    onCommit(listener) {
      listeners.add(listener);
      watchForeignCommits(true);
      return () => {
        listeners.delete(listener);
        watchForeignCommits(listeners.size > 0);
      };
    },
    async close() {
      watchForeignCommits(false);
      listeners.clear();
      db.close();
    },
  };
}
