// Which storage a server uses: PostgreSQL when DATABASE_URL is set, else SQLite in the data folder.
import { join } from 'node:path';
import { openPostgresStorage } from './postgres.ts';
import { openSqliteStorage } from './sqlite.ts';
import type { Storage } from './types.ts';

export type { Caller, CommitListener, PullOutcome, PullPage, PullRequest, PushOutcome, PushRejection, Storage } from './types.ts';
export { openPostgresStorage } from './postgres.ts';
export { openSqliteStorage } from './sqlite.ts';

export async function openStorage({ databaseUrl, dataDir }: { databaseUrl?: string; dataDir: string }): Promise<Storage> {
  return databaseUrl ? openPostgresStorage({ connectionString: databaseUrl }) : openSqliteStorage({ file: join(dataDir, 'cartlog.sqlite') });
}

/** Where the log lives, for the start-up line. */
export function describeStorage({ databaseUrl, dataDir }: { databaseUrl?: string; dataDir: string }): string {
  if (!databaseUrl) return `SQLite ${join(dataDir, 'cartlog.sqlite')}`;
  const url = new URL(databaseUrl);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

/**
 * A storage opened on first use, so an app built for static files alone (or a test of them)
 * touches no database. A failed open is retried by the next request.
 */
export function lazyStorage(open: () => Promise<Storage>): Storage {
  let opening: Promise<Storage> | undefined;
  const opened = () =>
    (opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    }));
  return {
    push: async (caller, events, options) => (await opened()).push(caller, events, options),
    pull: async (caller, request) => (await opened()).pull(caller, request),
    revoked: async (caller) => (await opened()).revoked(caller),
    deleteUser: async (userId) => (await opened()).deleteUser(userId),
    onCommit(listener) {
      let off: (() => void) | undefined;
      let cancelled = false;
      opened().then(
        (storage) => {
          if (!cancelled) off = storage.onCommit(listener);
        },
        () => {}, // the request that needed it reports the failure
      );
      return () => {
        cancelled = true;
        off?.();
      };
    },
    async close() {
      const storage = await opening?.catch(() => undefined);
      await storage?.close();
    },
  };
}
