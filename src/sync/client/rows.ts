// What sync keeps in the store itself, as rows of the read-model table under names no projection
// uses (a rebuild only clears its own projections' rows): the pull cursor, streams whose rebase
// is under way, and rejected changes. In the database, not localStorage, because each describes
// this database's log and must live and die with it: a cursor that outlived its log would skip
// every event before it.
import type { CommandRecord, Tables } from '../../es/db.ts';
import type { EventStore, StoreTransaction } from '../../es/store.ts';

const CURSOR = 'sync:cursor';
const REBASING = 'sync:rebasing';
const HEALING = 'sync:healing';
/** Streams marked foreign when the account changed, by the account whose log their positions are in. */
const OWNER = 'sync:owner';
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
 * a crash interrupted resumes there.
 */
export type Healing = Cursor;

type HealingRow = Upstream & Healing;

export async function readHealing(store: EventStore, upstream: Upstream): Promise<Healing | undefined> {
  const row = await store.getRow<HealingRow>(HEALING, '');
  if (!row || !sameUpstream(row, upstream)) return undefined;
  return { after: row.after ?? 0, ...(row.log ? { log: row.log } : {}), ...(row.check ? { check: row.check } : {}) };
}

/** Everything up to `progress.after` is settled: a crash resumes the pull from there. */
export async function writeHealing(store: EventStore, upstream: Upstream, progress: Healing): Promise<void> {
  const value: HealingRow = { ...upstream, ...progress };
  await store.use((db) => db.readModels.put({ projection: HEALING, key: '', value }));
}

/**
 * Begins healing onto `log`: in one transaction, the marker (so a crash resumes the pass) and
 * every event of this account's streams back to pending (streams of another account stay as
 * they are). Pulling from 0 then matches them by id; what the log lacks is pushed as it is.
 */
export async function startHealing(store: EventStore, upstream: Upstream, onto: { log?: string; why: string }): Promise<void> {
  // Why it began is kept with the marker and said once: a healing pass re-uploads what the
  // server lacks, and whoever runs the server wants to know what set it off.
  console.warn(`cartlog sync: healing onto ${onto.log ?? 'the next log'} — ${onto.why}`);
  const value: HealingRow & { why: string } = { ...upstream, after: 0, ...(onto.log ? { log: onto.log } : {}), why: onto.why };
  await store.unconfirm((head) => head.foreign === undefined, (t) => t.readModels.put({ projection: HEALING, key: '', value }));
}

/** Ends healing: the marker goes and the cursor (with the log healed onto) is written, together. */
export async function finishHealing(store: EventStore, upstream: Upstream, cursor: Cursor): Promise<void> {
  const write = async ({ tables }: StoreTransaction) => {
    await Promise.all([tables.readModels.delete([HEALING, '']), tables.readModels.put(cursorRow(upstream, cursor))]);
  };
  await store.transact(write, { retry: write });
}

/**
 * Called before syncing with `upstream`. Another server or account counts positions of its own,
 * so the cursor starts over.
 * - Another account: the carts whose positions are the previous account's stay on the device and
 *   are never pushed under this one (marked foreign, with their owner); carts marked as this
 *   account's before are its own again; carts a 403 marked are tried once more (a 403 marks them
 *   again: one refusal per switch, not one per sync).
 * - The same account on another server (the sync address moved): that server lacks what the
 *   device holds, so the device heals onto it and uploads its carts there (CONTRACT §5).
 */
export async function enterUpstream(store: EventStore, upstream: Upstream): Promise<void> {
  const row = await store.getRow<CursorRow>(CURSOR, '');
  if (sameUpstream(row, upstream)) return;
  const owners = new Map((await store.listRows<{ streamId: string; account: string }>(OWNER)).map((o) => [o.streamId, o.account]));
  const previous = row?.account;
  const reason = `This cart was synced by another account (${previous}): it stays on this device and is never synced under ${upstream.account}.`;
  await store.transact(async ({ tables }) => {
    const heads = await tables.streams.toArray();
    const changed = [];
    const ownerRows = [];
    const freed: [string, string][] = [];
    for (const head of heads) {
      const owner = owners.get(head.streamId);
      if (head.foreign !== undefined && (owner === undefined || owner === upstream.account)) {
        const { foreign: _foreign, ...own } = head;
        changed.push(own);
        if (owner !== undefined) freed.push([OWNER, head.streamId]);
      } else if (previous !== undefined && previous !== upstream.account && head.foreign === undefined && head.confirmedThrough > 0) {
        changed.push({ ...head, foreign: reason });
        ownerRows.push({ projection: OWNER, key: head.streamId, value: { streamId: head.streamId, account: previous } });
      }
    }
    await Promise.all([tables.streams.bulkPut(changed), tables.readModels.bulkPut(ownerRows), tables.readModels.bulkDelete(freed)]);
    await tables.readModels.put(cursorRow(upstream, { after: 0 }));
  });
  if (row && previous === upstream.account) await startHealing(store, upstream, { why: `the sync address moved from ${row.server} to ${upstream.server}` });
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
