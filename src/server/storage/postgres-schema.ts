// The PostgreSQL tables, and the in-place upgrade of a schema made before logs were per user.
// Every table but the stream owners has the user id first in its key: distributed by user id
// (e.g. Citus), a push or pull touches one node; the owners table is small and read by stream id.
import type pg from 'pg';

/** Any constant: it only keeps two processes from creating or upgrading the tables at the same moment. */
const MIGRATION_LOCK = 0x6361_7274; // "cart"

export type Tables = Record<'users' | 'events' | 'streams' | 'owners' | 'counter', string>;

export function tableNames(schema: string): { s: string; t: Tables } {
  const s = `"${schema.replaceAll('"', '""')}"`;
  return {
    s,
    t: {
      users: `${s}.cartlog_users`,
      events: `${s}.cartlog_events`,
      streams: `${s}.cartlog_streams`,
      owners: `${s}.cartlog_stream_owners`,
      // The first release's one global position counter, gone after the upgrade.
      counter: `${s}.cartlog_counter`,
    },
  };
}

const usersTable = (t: Tables) => `
  CREATE TABLE ${t.users} (
    user_id TEXT PRIMARY KEY,
    log TEXT,
    position BIGINT NOT NULL DEFAULT 0,
    stored BIGINT NOT NULL DEFAULT 0,
    not_before BIGINT
  );
  CREATE TABLE ${t.owners} (
    stream_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL
  );`;

type Query = Pick<pg.PoolClient, 'query'>;

/**
 * Creates or upgrades what is needed. Skipped when the tables are current, so a role that may use
 * but not create them (tables made once by an administrator) runs too; under an advisory lock, so
 * two processes starting together take turns. `transaction` runs its work in BEGIN … COMMIT.
 */
export async function migratePostgres(pool: Query, transaction: (work: (client: Query) => Promise<void>) => Promise<void>, schema: string): Promise<void> {
  const { s, t } = tableNames(schema);
  // A plain catalog query, not to_regclass: that one may answer from this connection's cache,
  // blind to tables another process made or dropped while we waited for the lock.
  const found = async (client: Query, table: string) =>
    (await client.query('SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2) AS found', [schema, table]))
      .rows[0].found as boolean;
  if (await found(pool, 'cartlog_users')) return;
  await transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (await found(client, 'cartlog_users')) return;
    if (await found(client, 'cartlog_counter')) return upgradeFirstRelease(client, t);
    // CREATE SCHEMA wants a right on the database even when the schema exists: ask only for ours.
    if (s !== '"public"') await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`
      ${usersTable(t)}
      CREATE TABLE ${t.events} (
        user_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body JSON NOT NULL,
        PRIMARY KEY (user_id, position),
        UNIQUE (user_id, id),
        UNIQUE (user_id, stream_id, version)
      );
      CREATE TABLE ${t.streams} (
        user_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (user_id, stream_id)
      );
    `);
  });
}

/**
 * The first release kept one position counter for all users and event ids unique across users.
 * Each user's positions already only grow, so they stay; each user gets a log of their own.
 */
async function upgradeFirstRelease(client: Query, t: Tables): Promise<void> {
  const constraints = async (table: string) =>
    (await client.query(`SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u')`, [table])).rows.map(
      (row) => `DROP CONSTRAINT "${String(row.conname).replaceAll('"', '""')}"`,
    );
  const eventKeys = await constraints(t.events);
  const streamKeys = await constraints(t.streams);
  await client.query(`
    ${usersTable(t)}
    INSERT INTO ${t.users} (user_id, log, position, stored)
      SELECT user_id, gen_random_uuid()::text, max(position), count(*) FROM ${t.events} GROUP BY user_id;
    INSERT INTO ${t.owners} (stream_id, user_id) SELECT stream_id, user_id FROM ${t.streams};
    ALTER TABLE ${t.events} ${[...eventKeys, 'ADD PRIMARY KEY (user_id, position)', 'ADD UNIQUE (user_id, id)', 'ADD UNIQUE (user_id, stream_id, version)'].join(', ')};
    ALTER TABLE ${t.streams} ${[...streamKeys, 'ADD PRIMARY KEY (user_id, stream_id)'].join(', ')};
    DROP INDEX IF EXISTS ${t.events.replace(/cartlog_events$/, 'cartlog_events_by_user')};
    DROP TABLE ${t.counter};
  `);
}
