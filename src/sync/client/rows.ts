// What sync keeps in the store itself, as rows of the read-model table under names no projection
// uses (a rebuild only clears its own projections' rows): the pull cursor, streams whose rebase
// is under way, and rejected changes. In the database, not localStorage, because each describes
// this database's log and must live and die with it: a cursor that outlived its log would skip
// every event before it.
import type { CommandRecord } from '../../es/db.ts';
import type { EventStore, StoreTransaction } from '../../es/store.ts';

const CURSOR = 'sync:cursor';
const REBASING = 'sync:rebasing';
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

/** The server's address, tidied, and the token's subject (read, not checked: it only keys the cursor). */
export function upstreamOf(url: string, token: string): Upstream {
  return { server: url.replace(/\/+$/, ''), account: accountOf(token) };
}

export function accountOf(token: string): string {
  try {
    const payload = token.split('.')[1] ?? '';
    const sub = (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown }).sub;
    if (typeof sub === 'string' && sub) return sub;
  } catch {
    // not a JWT: the token itself stands for the account
  }
  return token;
}

interface CursorRow extends Upstream {
  after: number;
}

export async function readCursor(store: EventStore, upstream: Upstream): Promise<number> {
  const row = await store.getRow<CursorRow>(CURSOR, '');
  return row && row.server === upstream.server && row.account === upstream.account ? row.after : 0;
}

export async function writeCursor(store: EventStore, upstream: Upstream, after: number): Promise<void> {
  const value: CursorRow = { ...upstream, after };
  await store.use((db) => db.readModels.put({ projection: CURSOR, key: '', value }));
}

/**
 * Called before syncing with `upstream`. Another server or account counts positions of its own,
 * so the cursor starts over; and streams marked foreign under the previous account may well be
 * this one's, so each is tried once more (a 403 marks it again: one refusal per switch, not one
 * per sync).
 */
export async function enterUpstream(store: EventStore, upstream: Upstream): Promise<void> {
  const row = await store.getRow<CursorRow>(CURSOR, '');
  if (row && row.server === upstream.server && row.account === upstream.account) return;
  await store.use((db) =>
    db.streams
      .filter((head) => head.foreign !== undefined)
      .modify((head) => {
        delete head.foreign;
      }),
  );
  await writeCursor(store, upstream, 0);
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
  const write = async ({ tables }: StoreTransaction) => {
    await Promise.all([
      tables.readModels.put({ projection: REJECTED, key: change.commandId, value: change }),
      record ? tables.commands.put({ ...record, versions: null }) : undefined,
    ]);
  };
  // Writing the same rows twice is harmless: safe to retry on a dropped connection.
  await store.transact(write, { retry: write });
}

/** Oldest first. */
export async function listRejected(store: EventStore): Promise<RejectedChange[]> {
  return (await store.listRows<RejectedChange>(REJECTED)).sort((a, b) => a.at.localeCompare(b.at));
}

export async function dismissRejected(store: EventStore, commandId: string): Promise<void> {
  await store.use((db) => db.readModels.delete([REJECTED, commandId]));
}
