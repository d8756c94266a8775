// The upstream log in one SQLite file (better-sqlite3, synchronous). A push is one BEGIN IMMEDIATE
// transaction: writers queue on the database lock, so positions are taken in commit order, even
// when several processes share the file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ConfirmedEvent, PushedEvent } from '../../sync/protocol.ts';
import { isRejection, planPush, positionsOf, type Known } from './plan.ts';
import type { CommitListener, PullPage, PushOutcome, Storage } from './types.ts';

const SCHEMA = `
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
  -- The last position given. Kept apart from MAX(position) so deleting a user's newest events
  -- never lets a position be given twice.
  CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
  INSERT OR IGNORE INTO counter VALUES (1, 0);
`;

/** How often held pulls look for commits made by another process on the same file. */
const FOREIGN_COMMIT_POLL_MS = 250;

export function openSqliteStorage({ file }: { file: string }): Storage {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // An acknowledged push must survive a power cut, not only a crash of this process: FULL syncs
  // the WAL on every commit (NORMAL could lose the last commits if the machine goes down).
  db.pragma('synchronous = FULL');
  // Another process may hold the write lock for a moment; wait instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const q = {
    eventsById: db.prepare<[string], { id: string; position: number; body: string }>(
      'SELECT id, position, body FROM events WHERE id IN (SELECT value FROM json_each(?))',
    ),
    streams: db.prepare<[string], { stream_id: string; user_id: string; version: number }>(
      'SELECT stream_id, user_id, version FROM streams WHERE stream_id IN (SELECT value FROM json_each(?))',
    ),
    take: db.prepare<[number], { position: number }>('UPDATE counter SET position = position + ? RETURNING position'),
    insert: db.prepare('INSERT INTO events (position, id, user_id, stream_id, version, body) VALUES (?, ?, ?, ?, ?, ?)'),
    createStream: db.prepare('INSERT INTO streams (stream_id, user_id, version) VALUES (?, ?, ?)'),
    moveStream: db.prepare('UPDATE streams SET version = ? WHERE stream_id = ?'),
    head: db.prepare<[string], { head: number }>('SELECT coalesce(max(position), 0) AS head FROM events WHERE user_id = ?'),
    page: db.prepare<[string, number, number, number], { position: number; body: string }>(
      'SELECT position, body FROM events WHERE user_id = ? AND position > ? AND position <= ? ORDER BY position LIMIT ?',
    ),
    deleteEvents: db.prepare('DELETE FROM events WHERE user_id = ?'),
    deleteStreams: db.prepare('DELETE FROM streams WHERE user_id = ?'),
  };

  const pushTransaction = db.transaction((userId: string, events: PushedEvent[]): PushOutcome => {
    const ids = JSON.stringify(events.map((event) => event.id));
    const streamIds = JSON.stringify([...new Set(events.map((event) => event.streamId))]);
    const known: Known = {
      events: new Map(q.eventsById.all(ids).map((row) => [row.id, { event: JSON.parse(row.body), position: row.position }])),
      streams: new Map(q.streams.all(streamIds).map((row) => [row.stream_id, { userId: row.user_id, version: row.version }])),
    };
    const plan = planPush(userId, events, known);
    if (isRejection(plan)) return { ok: false, rejection: plan };
    if (plan.fresh.length === 0) return { ok: true, positions: positionsOf(plan.slots, 0), head: q.head.get(userId)!.head };

    const last = q.take.get(plan.fresh.length)!.position;
    const first = last - plan.fresh.length + 1;
    for (const [n, event] of plan.fresh.entries())
      q.insert.run(first + n, event.id, userId, event.streamId, event.version, JSON.stringify(event));
    for (const stream of plan.streams)
      if (stream.created) q.createStream.run(stream.streamId, userId, stream.version);
      else q.moveStream.run(stream.version, stream.streamId);
    // The newest position of all is this user's now, so it is their head.
    return { ok: true, positions: positionsOf(plan.slots, first), head: last };
  });

  // Head first, then the page up to it, in one read transaction: the page and head agree.
  const pullTransaction = db.transaction((userId: string, after: number, limit: number): PullPage => {
    const head = q.head.get(userId)!.head;
    const rows = q.page.all(userId, after, head, limit + 1);
    const more = rows.length > limit;
    const events = rows.slice(0, limit).map((row) => ({ ...JSON.parse(row.body), position: row.position }) as ConfirmedEvent);
    return { events, head, more };
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
    async push(userId, events) {
      if (events.length === 0) return { ok: true, positions: [], head: q.head.get(userId)!.head };
      const outcome = pushTransaction.immediate(userId, events);
      // A push of retries only wakes pullers for nothing; they look, find nothing and wait on.
      if (outcome.ok) emit(userId);
      return outcome;
    },
    async pull(userId, after, limit) {
      return pullTransaction(userId, after, limit);
    },
    async deleteUser(userId) {
      return db.transaction(() => {
        q.deleteStreams.run(userId);
        return q.deleteEvents.run(userId).changes;
      }).immediate();
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
