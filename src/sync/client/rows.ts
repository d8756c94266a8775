// What sync keeps in the store itself, as rows of the read-model table under names no projection
// uses (a rebuild only clears its own projections' rows): the pull cursor, streams whose rebase
// is under way, and rejected changes. In the database, not localStorage, because each describes
// this database's log and must live and die with it: a cursor that outlived its log would skip
// every event before it.
import { v7 as uuidv7 } from 'uuid';
import type { CommandRecord, ReadModelRow, Tables } from '../../es/db.ts';
import type { EventStore, StoreTransaction } from '../../es/store.ts';
import { unconfirmStreams } from '../../es/upstream.ts';

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

const sameUpstream = (row: Upstream | undefined, upstream: Upstream) => row !== undefined && row.server === upstream.server && row.account === upstream.account;

export async function readCursor(store: EventStore, upstream: Upstream): Promise<Cursor> {
  const row = await store.getRow<CursorRow>(CURSOR, '');
  if (!row || !sameUpstream(row, upstream)) return { after: 0 };
  return { after: row.after, ...(row.log ? { log: row.log } : {}), ...(row.check ? { check: row.check } : {}) };
}

const cursorRow = (upstream: Upstream, cursor: Cursor) => ({ projection: CURSOR, key: '', value: { ...upstream, ...cursor } satisfies CursorRow });

/** The cursor's write, to run inside another transaction (the pulled page's own). */
export const putCursor = (upstream: Upstream, cursor: Cursor) => (tables: Pick<Tables, 'readModels'>) => tables.readModels.put(cursorRow(upstream, cursor));

export async function writeCursor(store: EventStore, upstream: Upstream, cursor: Cursor): Promise<void> {
  await store.use((db) => db.readModels.put(cursorRow(upstream, cursor)));
}

/**
 * The stored marker of a healing pass (CONTRACT §5 "Healing"): the log it heals onto (absent
 * until the server's first answer names it), and how far the pull from 0 has settled, so a pass
 * a crash interrupted resumes there. `id` names the pass: a tab that finds another id than the
 * one it healed under knows another tab began a pass of its own.
 */
export type Healing = Cursor & { id: string };

type HealingRow = Upstream & Healing & { why: string };

/** The marker's row, for a transaction that begins a heal with other writes (target.ts). */
export function healingRow(upstream: Upstream, progress: Cursor, why: string): ReadModelRow {
  return { projection: HEALING, key: '', value: { ...upstream, ...progress, id: uuidv7(), why } satisfies HealingRow };
}

export async function readHealing(store: EventStore, upstream: Upstream): Promise<Healing | undefined> {
  const row = await store.getRow<HealingRow>(HEALING, '');
  if (!row || !sameUpstream(row, upstream)) return undefined;
  return { id: row.id, after: row.after ?? 0, ...(row.log ? { log: row.log } : {}), ...(row.check ? { check: row.check } : {}) };
}

/** Everything up to `progress.after` is settled: a crash resumes the pull from there. */
export async function writeHealing(store: EventStore, upstream: Upstream, progress: Healing): Promise<void> {
  await store.use(async (db) => {
    const row = (await db.readModels.get([HEALING, '']))?.value as HealingRow | undefined;
    // Only the pass's own marker moves: another tab's pass began since (or this one ended).
    if (row?.id === progress.id) await db.readModels.put({ projection: HEALING, key: '', value: { ...row, ...progress } });
  });
}

/**
 * Begins healing onto `log`: in one transaction, the marker (so a crash resumes the pass) and
 * every event of this account's streams back to pending (streams of another account stay as
 * they are). Pulling from 0 then matches them by id; what the log lacks is pushed as it is.
 * Nothing happens when another tab began a pass the caller is not running (`during`: the id of
 * the pass it is): two tabs that lead at once (no Web Locks) both see the server's loss, and a
 * second start would throw away the first pass's progress. Returns whether it began.
 */
export async function startHealing(store: EventStore, upstream: Upstream, onto: { log?: string; why: string }, during?: string): Promise<boolean> {
  const begin = async (tx: StoreTransaction) => {
    const { tables } = tx;
    const stored = (await tables.readModels.get([HEALING, '']))?.value as HealingRow | undefined;
    const marker = sameUpstream(stored, upstream) ? stored : undefined;
    if (during !== undefined ? marker?.id !== during : marker !== undefined) return false;
    const streamIds = await unconfirmStreams(tables, (head) => head.foreign === undefined);
    await tables.readModels.put(healingRow(upstream, { after: 0, ...(onto.log ? { log: onto.log } : {}) }, onto.why));
    tx.wroteStreams(streamIds);
    return true;
  };
  const began = await store.transact(begin, { retry: begin });
  // Why it began is kept with the marker and said once: a healing pass re-uploads what the
  // server lacks, and whoever runs the server wants to know what set it off.
  if (began) console.warn(`cartlog sync: healing onto ${onto.log ?? 'the next log'} — ${onto.why}`);
  return began;
}

/**
 * Ends the pass `id`: its marker goes and the cursor (with the log healed onto) is written,
 * together. Another tab's pass (begun since) is left to finish on its own.
 */
export async function finishHealing(store: EventStore, upstream: Upstream, id: string, cursor: Cursor): Promise<void> {
  const write = async ({ tables }: StoreTransaction) => {
    if (((await tables.readModels.get([HEALING, '']))?.value as HealingRow | undefined)?.id !== id) return;
    await Promise.all([tables.readModels.delete([HEALING, '']), tables.readModels.put(cursorRow(upstream, cursor))]);
  };
  await store.transact(write, { retry: write });
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
