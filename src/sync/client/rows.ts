// What sync keeps in the store itself, as rows of the read-model table under names no projection
// uses (a rebuild only clears its own projections' rows): the pull cursor, streams whose rebase
// is under way, and rejected changes (the healing marker: healing.ts; settings and owners: target.ts). In the database, not localStorage, because each describes
// this database's log and must live and die with it: a cursor that outlived its log would skip
// every event before it.
import type { CommandRecord, Tables } from '../../es/db.ts';
import type { EventStore, StoreTransaction } from '../../es/store.ts';

export const CURSOR = 'sync:cursor';
const REBASING = 'sync:rebasing';
export const HEALING = 'sync:healing';
export const REJECTED = 'rejected';

/** A change made on this device that no longer held once other devices' changes came in. */
export interface RejectedChange {
  commandId: string;
  /** The stream (cart) it was meant for. */
  cartId: string;
  /** As journalled: one command, or several decided as one. */
  command: unknown;
  /** Why, in words for the shopper (the domain's refusal). */
  reason: string;
  /** The domain's stable code, for programs. */
  code: string;
  /** When it was rejected (ISO time). */
  at: string;
}

/** Which server and account a cursor counts positions of: another of either starts from 0. */
export interface Upstream {
  server: string;
  account: string;
}

/** Where pulling resumes, and which log of that server and account the positions here belong to. */
export interface Cursor {
  after: number;
  /** Absent on a device that synced before servers had logs (or never synced): adopted on the first answer that fits. */
  log?: string;
  /** The id of the event at position `after`, sent as `check` so a server that parted from it says so. */
  check?: string;
}

type CursorRow = Upstream & Cursor;

export const sameUpstream = (row: Upstream | undefined, upstream: Upstream) => row !== undefined && row.server === upstream.server && row.account === upstream.account;

export async function readCursor(store: EventStore, upstream: Upstream): Promise<Cursor> {
  const row = await store.getRow<CursorRow>(CURSOR, '');
  if (!row || !sameUpstream(row, upstream)) return { after: 0 };
  return { after: row.after, ...(row.log ? { log: row.log } : {}), ...(row.check ? { check: row.check } : {}) };
}

export const cursorRow = (upstream: Upstream, cursor: Cursor) => ({ projection: CURSOR, key: '', value: { ...upstream, ...cursor } satisfies CursorRow });

/** The cursor's write, to run inside another transaction (the pulled page's own). */
export const putCursor = (upstream: Upstream, cursor: Cursor) => (tables: Pick<Tables, 'readModels'>) => tables.readModels.put(cursorRow(upstream, cursor));

export async function writeCursor(store: EventStore, upstream: Upstream, cursor: Cursor): Promise<void> {
  await store.use((db) => db.readModels.put(cursorRow(upstream, cursor)));
}

/** Written before a stream's pending tail is dropped, removed once its commands are decided again. */
export async function markRebasing(store: EventStore, streamId: string): Promise<void> {
  await store.use((db) => db.readModels.put({ projection: REBASING, key: streamId, value: { streamId } }));
}

export async function doneRebasing(store: EventStore, streamId: string): Promise<void> {
  await store.use((db) => db.readModels.delete([REBASING, streamId]));
}

/** Streams a crash (or a closed tab) left between the rebase and re-deciding its commands. */
export async function unfinishedRebases(store: EventStore): Promise<string[]> {
  return (await store.listRows<{ streamId: string }>(REBASING)).map((row) => row.streamId);
}

/**
 * Records the rejection and, in the same transaction, empties the command's journalled versions:
 * it appends nothing now, so no later rebase decides it again (even after the shopper dismissed it).
 */
export async function reject(store: EventStore, record: CommandRecord | undefined, change: RejectedChange): Promise<void> {
  const write = async ({ tables, wroteRows }: StoreTransaction) => {
    wroteRows(REJECTED);
    await Promise.all([
      tables.readModels.put({ projection: REJECTED, key: change.commandId, value: change }),
      record ? tables.commands.put({ ...record, versions: null }) : undefined,
    ]);
  };
  // Writing the same rows twice is harmless: safe to retry on a dropped connection.
  await store.transact(write, { retry: write });
}

/**
 * Lists a change that could not be decided again yet, leaving its journal as it is: the next
 * sync decides it again (and removes this row once it holds).
 */
export async function noteRetrying(store: EventStore, change: RejectedChange): Promise<void> {
  const write = async ({ tables, wroteRows }: StoreTransaction) => {
    wroteRows(REJECTED);
    await tables.readModels.put({ projection: REJECTED, key: change.commandId, value: change });
  };
  await store.transact(write, { retry: write });
}

/** Oldest first. */
export async function listRejected(store: EventStore): Promise<RejectedChange[]> {
  return (await store.listRows<RejectedChange>(REJECTED)).sort((a, b) => a.at.localeCompare(b.at));
}

/** Every tab's list of rejected changes follows the store's change feed (Change.rows names REJECTED). */
export async function dismissRejected(store: EventStore, commandId: string): Promise<void> {
  const dismiss = async ({ tables, wroteRows }: StoreTransaction) => {
    wroteRows(REJECTED);
    await tables.readModels.delete([REJECTED, commandId]);
  };
  await store.transact(dismiss, { retry: dismiss });
}
