// Where this device syncs to, and whose each cart is. Both live in the device's database beside
// the sync state they key, and every change of target writes them together in one transaction:
// the settings, the cursor (positions count in one log of one account), which carts are now
// another account's, and — when the same account moved to another server — the healing marker
// with every one of its events back to pending. A crash or a dropped connection at any point
// leaves the device on the old target or wholly on the new one.
//
// Which account a cart belongs to is a record of its own (an owner row), written when the cart
// is first pushed or pulled under an account. It is never inferred from how much of the cart is
// confirmed: healing turns confirmed events back to pending, and a cart in the middle of a heal
// is still its account's.
import type { ReadModelRow, StreamHead, Tables } from '../../es/db.ts';
import type { EventStore, StoreTransaction } from '../../es/store.ts';
import { unconfirmStreams } from '../../es/upstream.ts';
import { healingRow } from './healing.ts';
import { CURSOR, HEALING, sameUpstream, type Upstream } from './rows.ts';

const SETTINGS = 'sync:settings';
const OWNER = 'sync:owner';
/** Set once the owner rows of a device that synced before they existed have been written. */
const OWNERS_RECORDED = 'sync:owners-recorded';

/** What the shopper typed in the sync settings: the server's base address and the token. '' = sync off. */
export interface SyncSettings {
  url: string;
  token: string;
}

/** As stored: with the account the token names, so the record says whose carts these are. */
export interface StoredSettings extends SyncSettings {
  account: string;
}

interface OwnerRow {
  streamId: string;
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

const configured = (settings: SyncSettings) => Boolean(settings.url && settings.token);

/** Read models this module writes: a tab that follows them restarts sync with new settings. */
export const SETTINGS_ROWS = SETTINGS;

/** The settings as last saved on this device (undefined: never, or by a release that kept them elsewhere). */
export async function readTarget(store: EventStore): Promise<StoredSettings | undefined> {
  return store.getRow<StoredSettings>(SETTINGS, '');
}

/**
 * Stores new settings and moves the device onto their target, in one transaction. Resolves once
 * that committed: the settings dialog closes only then (CONTRACT §6 `sync-save`), and a crash
 * after it finds the device on the new target.
 */
export async function saveTarget(store: EventStore, settings: SyncSettings): Promise<void> {
  const write = async (tx: StoreTransaction) => {
    tx.wroteRows(SETTINGS);
    const upstream = upstreamOf(settings.url, settings.token);
    await tx.tables.readModels.put({ projection: SETTINGS, key: '', value: { ...settings, account: configured(settings) ? upstream.account : '' } satisfies StoredSettings });
    if (configured(settings)) await moveTo(tx, upstream);
  };
  // Writing the same target twice finds it already there: safe to retry on a dropped connection.
  await store.transact(write, { retry: write });
}

/**
 * Run by an engine before it syncs with `upstream`: moves the database onto it when it is not
 * there yet (an engine given settings directly; a release that moved the cursor alone). Nothing
 * is written when the device is already there.
 */
export async function enterTarget(store: EventStore, upstream: Upstream): Promise<void> {
  const enter = async (tx: StoreTransaction) => {
    const cursor = (await tx.tables.readModels.get([CURSOR, '']))?.value as Upstream | undefined;
    if (!sameUpstream(cursor, upstream) || !(await tx.tables.readModels.get([OWNERS_RECORDED, '']))) await moveTo(tx, upstream);
  };
  if (sameUpstream(await store.getRow<Upstream>(CURSOR, ''), upstream) && (await store.getRow(OWNERS_RECORDED, ''))) return;
  await store.transact(enter, { retry: enter });
}

/**
 * The target change itself, inside the caller's transaction (sync off changes no target: the
 * cursor stays, so turning the same sync on again resumes where it was).
 * - Another account: carts whose owner is another account stay on the device, marked, never
 *   pushed under this one; carts marked before that are this account's (or whose owner is
 *   unknown: a 403 marked them) are its own again, tried once more; the cursor starts over.
 * - The same account on another server: that server lacks what the device holds, so the device
 *   heals onto it (CONTRACT §5) and uploads its carts there.
 */
async function moveTo(tx: StoreTransaction, upstream: Upstream): Promise<void> {
  const { tables } = tx;
  const cursor = (await tables.readModels.get([CURSOR, '']))?.value as Upstream | undefined;
  const owners = await ownersRecorded(tables);
  if (sameUpstream(cursor, upstream)) return;
  const heads = await tables.streams.toArray();
  const changed: StreamHead[] = [];
  for (const head of heads) {
    const owner = owners.get(head.streamId);
    if (owner !== undefined && owner !== upstream.account) {
      if (head.foreign === undefined) changed.push({ ...head, foreign: foreignReason(owner, upstream.account) });
    } else if (head.foreign !== undefined) {
      const { foreign: _foreign, ...own } = head;
      changed.push(own);
    }
  }
  await Promise.all([tables.streams.bulkPut(changed), tables.readModels.put({ projection: CURSOR, key: '', value: { ...upstream, after: 0 } })]);
  let healed: string[] = [];
  if (cursor !== undefined && cursor.account === upstream.account) {
    const why = `the sync address moved from ${cursor.server} to ${upstream.server}`;
    console.warn(`cartlog sync: healing onto the next log — ${why}`);
    // The marks above are read back: only this account's carts go back to pending.
    healed = await unconfirmStreams(tables, (head) => head.foreign === undefined);
    await tables.readModels.put(healingRow(upstream, { after: 0 }, why));
  }
  tx.wroteStreams([...new Set([...changed.map((h) => h.streamId), ...healed])]);
}

const foreignReason = (owner: string, account: string) =>
  `This cart was synced by another account (${owner}): it stays on this device and is never synced under ${account}.`;

async function ownersIn(tables: Pick<Tables, 'readModels'>): Promise<Map<string, string>> {
  const rows = await tables.readModels.where('[projection+key]').between([OWNER, ''], [OWNER, '\uffff'], true, true).toArray();
  return new Map(rows.map((row) => [row.key, (row.value as OwnerRow).account]));
}

const ownerRow = (streamId: string, account: string): ReadModelRow => ({ projection: OWNER, key: streamId, value: { streamId, account } satisfies OwnerRow });

/** The device moved to another target since this engine started: it must write nothing more. */
export class TargetMovedError extends Error {
  override name = 'TargetMovedError';
  constructor() {
    super('The sync settings changed: this sync stops, and one for the new settings takes over.');
  }
}

/**
 * Before a push: the carts in it become this account's, if no account has them yet. Returns the
 * carts another account owns (none, unless a record and a mark disagree): they are not pushed,
 * and are marked as that account's in the same transaction. An engine whose target is no longer
 * the device's (settings saved a moment ago, the old engine not yet stopped) claims nothing: it
 * would mark the new account's carts as another's.
 */
export async function claimStreams(store: EventStore, upstream: Upstream, streamIds: readonly string[]): Promise<string[]> {
  const { account } = upstream;
  const claim = async (tx: StoreTransaction) => {
    if (!sameUpstream((await tx.tables.readModels.get([CURSOR, '']))?.value as Upstream | undefined, upstream)) throw new TargetMovedError();
    const rows = await tx.tables.readModels.bulkGet(streamIds.map((id) => [OWNER, id] as [string, string]));
    const theirs = streamIds.filter((_, i) => rows[i] && (rows[i]!.value as OwnerRow).account !== account);
    const unclaimed = streamIds.filter((_, i) => !rows[i]);
    await tx.tables.readModels.bulkPut(unclaimed.map((id) => ownerRow(id, account)));
    for (const streamId of theirs) {
      const head = await tx.tables.streams.get(streamId);
      if (head && head.foreign === undefined) await tx.tables.streams.put({ ...head, foreign: foreignReason((rows[streamIds.indexOf(streamId)]!.value as OwnerRow).account, account) });
    }
    tx.wroteStreams(theirs);
    return theirs;
  };
  return store.transact(claim, { retry: claim });
}

/** Pulled carts are the pulling account's: written with the page that brought them. */
export const ownPulled = (account: string, streamIds: readonly string[]) => (tables: Pick<Tables, 'readModels'>) =>
  tables.readModels.bulkPut(streamIds.map((id) => ownerRow(id, account)));

/** A 403 says another account owns the cart on the server, not which: the record goes. */
export async function forgetOwner(store: EventStore, streamId: string): Promise<void> {
  await store.use((db) => db.readModels.delete([OWNER, streamId]));
}

/**
 * Every owner row, written first for a device that synced before they existed: its carts with
 * confirmed events are the cursor's account's — and, in the middle of a heal (which turned them
 * back to pending), every cart not marked as another's. Done once, in the caller's transaction.
 */
async function ownersRecorded(tables: Pick<Tables, 'readModels' | 'streams'>): Promise<Map<string, string>> {
  const owners = await ownersIn(tables);
  if (await tables.readModels.get([OWNERS_RECORDED, ''])) return owners;
  const [cursor, healing, heads] = await Promise.all([tables.readModels.get([CURSOR, '']), tables.readModels.get([HEALING, '']), tables.streams.toArray()]);
  const account = (cursor?.value as Upstream | undefined)?.account;
  const midHeal = healing !== undefined && (healing.value as Upstream).account === account;
  const rows = account
    ? heads.filter((h) => !owners.has(h.streamId) && h.foreign === undefined && (h.confirmedThrough > 0 || midHeal)).map((h) => ownerRow(h.streamId, account))
    : [];
  await Promise.all([tables.readModels.bulkPut(rows), tables.readModels.put({ projection: OWNERS_RECORDED, key: '', value: true })]);
  for (const row of rows) owners.set(row.key, account!);
  return owners;
}
