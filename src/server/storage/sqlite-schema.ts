// The SQLite file's tables, and the in-place upgrade of a file made before logs were per user.
// PRAGMA user_version says which shape a file has: 0 is a new file or the first release's (one
// global counter, ids unique across users); 2 is one log per user.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

export const SQLITE_SCHEMA_VERSION = 2;

const TABLES = `
  -- One row per user who ever pushed or pulled: their log, its last position (the head), how many
  -- events they store (the quota), and the second of their deletion (older tokens are refused).
  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    log TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    stored INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER
  );
  CREATE TABLE events (
    user_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (user_id, position),
    UNIQUE (user_id, id),
    UNIQUE (user_id, stream_id, version)
  );
  CREATE TABLE streams (
    user_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (user_id, stream_id)
  );
  -- Who first pushed a stream: the one fact shared across users.
  CREATE TABLE stream_owners (
    stream_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL
  );
`;

/** Brings the file to the current shape, in one write transaction (two processes starting at once take turns). */
export function migrateSqlite(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() === SQLITE_SCHEMA_VERSION) return;
  db.transaction(() => {
    const found = version();
    if (found === SQLITE_SCHEMA_VERSION) return;
    if (found > SQLITE_SCHEMA_VERSION)
      throw new Error(`The database was made by a newer cartlog (schema ${found}; this one knows ${SQLITE_SCHEMA_VERSION}).`);
    const firstRelease = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
    if (firstRelease) {
      // Keep every event and its position: each user's positions already only grow, so they stay
      // that user's positions, and each user gets a log of their own.
      db.exec(`
        ALTER TABLE events RENAME TO events_v1;
        ALTER TABLE streams RENAME TO streams_v1;
        DROP INDEX IF EXISTS events_by_user;
      `);
      db.exec(TABLES);
      db.exec(`
        INSERT INTO events (user_id, position, id, stream_id, version, body)
          SELECT user_id, position, id, stream_id, version, body FROM events_v1;
        INSERT INTO users (user_id, position, stored)
          SELECT user_id, max(position), count(*) FROM events_v1 GROUP BY user_id;
        INSERT INTO streams (user_id, stream_id, version) SELECT user_id, stream_id, version FROM streams_v1;
        INSERT INTO stream_owners (stream_id, user_id) SELECT stream_id, user_id FROM streams_v1;
        DROP TABLE events_v1;
        DROP TABLE streams_v1;
        DROP TABLE IF EXISTS counter;
      `);
      const drawLog = db.prepare('UPDATE users SET log = ? WHERE user_id = ?');
      for (const { user_id } of db.prepare<[], { user_id: string }>('SELECT user_id FROM users').all()) drawLog.run(randomUUID(), user_id);
    } else {
      db.exec(TABLES);
    }
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}
