// Bringing one stream up to what upstream holds. Without a pending tail the events simply go in.
// With one, either upstream is our own pushes coming back (their answer was lost: they only need
// their positions), or other devices got there first: the tail is dropped, upstream written, and
// every dropped command decided again on top, under its own id — what no longer holds becomes a
// rejected change with the domain's reason. Nothing a shopper did is lost without a word.
import type { CommandRecord } from '../../es/db.ts';
import type { EventEnvelope } from '../../es/envelope.ts';
import { DomainError } from '../../es/errors.ts';
import type { EventStore } from '../../es/store.ts';
import { dismissRejected, doneRebasing, listRejected, markRebasing, noteRetrying, reject, unfinishedRebases } from './rows.ts';

/** What sync needs of a domain: its store, and deciding a journalled command again (Carts has both). */
export interface SyncTarget {
  store: EventStore;
  /** Decides a pending command again under its own id; throws DomainError when it no longer holds. */
  rerun: (streamId: string, command: unknown, commandId: string) => Promise<unknown>;
  /** This device's id: events of other devices that no longer fit after healing are theirs to report. */
  deviceId?: string;
}

/** Why a change the server had confirmed, then lost, is rejected when the cart moved on meanwhile. */
export const LOST_UPSTREAM =
  'The sync server lost this change (it was restored from an older copy), and another device changed the cart since, so it could not be applied again.';

/** A change whose deciding again failed for a reason other than the cart's rules: kept, and tried again. */
export const RETRYING = 'retrying';
const NOT_APPLIED_YET = 'This change could not be applied again after changes from another device came in; it is kept on this device and tried again at the next sync';

export async function settleStream(target: SyncTarget, streamId: string, upstream: readonly EventEnvelope[], now: () => Date): Promise<void> {
  const { store } = target;
  const head = await store.use((db) => db.streams.get(streamId));
  const confirmedThrough = head?.confirmedThrough ?? 0;
  // Pulled again after a crash or a resync: what is confirmed here is already upstream's.
  const fresh = upstream.filter((e) => e.version > confirmedThrough);
  if (fresh.length === 0) return;
  if (!head || head.version === confirmedThrough) {
    await store.appendBulk(fresh);
    return;
  }
  const pending = await store.readStream(streamId, { from: confirmedThrough + 1 });
  if (fresh.every((e, i) => pending[i]?.id === e.id)) {
    await store.confirm(fresh.map((e) => ({ streamId, version: e.version, position: e.position! })));
    return;
  }
  // The mark outlives a crash between the rebase and the re-runs; the next sync finishes the job.
  await markRebasing(store, streamId);
  const dropped = await store.rebase(streamId, fresh);
  await redecide(target, streamId, dropped, now);
  await doneRebasing(store, streamId);
}

/** Finishes the rebases a crash or a closed tab interrupted (see markRebasing). */
export async function finishRebases(target: SyncTarget, now: () => Date): Promise<void> {
  for (const streamId of await unfinishedRebases(target.store)) {
    await redecide(target, streamId, [], now);
    await doneRebasing(target.store, streamId);
  }
}

/**
 * Decides again, in their first order, the commands whose events a rebase dropped — and any
 * journalled whose events are gone without a rejection (a rebase a crash interrupted).
 * Commands whose events came back from upstream are ours, confirmed: nothing to decide.
 * Healing (CONTRACT §5) drops formerly confirmed events too: this device's become one rejected
 * change per command, with the reason; other devices' are dropped here (their device reports them).
 */
export async function redecide(target: SyncTarget, streamId: string, dropped: readonly EventEnvelope[], now: () => Date): Promise<void> {
  const { store } = target;
  const [stream, journal] = await Promise.all([store.readStream(streamId), store.use((db) => db.commands.where('streamId').equals(streamId).toArray())]);
  const present = new Set(stream.map((e) => e.meta.commandId));
  const confirmed = new Set(stream.filter((e) => e.position !== undefined).map((e) => e.meta.commandId));
  const records = new Map(journal.map((r) => [r.commandId, r]));
  const pending = journal.filter((r) => r.status === 'pending');
  const cameBack = pending.filter((r) => confirmed.has(r.commandId));
  if (cameBack.length) await store.use((db) => db.commands.bulkPut(cameBack.map((r) => ({ ...r, status: 'confirmed' as const }))));

  const retrying = new Set((await listRejected(store)).filter((r) => r.code === RETRYING).map((r) => r.commandId));
  const orphans = journal.filter((r) => r.versions !== null && !present.has(r.commandId)).sort((a, b) => a.versions![0] - b.versions![0]);
  const deviceOf = new Map(dropped.map((e) => [e.meta.commandId, e.meta.deviceId]));
  const order = new Set([...dropped.map((e) => e.meta.commandId), ...orphans.map((r) => r.commandId)]);
  for (const commandId of order) {
    if (present.has(commandId)) continue;
    const record = records.get(commandId);
    const at = now().toISOString();
    if (!record && target.deviceId !== undefined && deviceOf.get(commandId) !== target.deviceId) continue;
    if (record?.status === 'confirmed') {
      await reject(store, record, { commandId, cartId: streamId, command: record.command, reason: LOST_UPSTREAM, code: 'lost_upstream', at });
      continue;
    }
    try {
      await decideAgain(target, streamId, commandId, record);
      if (retrying.has(commandId)) await dismissRejected(store, commandId);
    } catch (error) {
      if (!(error instanceof DomainError)) {
        // Not the cart's rules (the disk, a closed connection): the change stays journalled and
        // the stream marked, so the next sync decides it again; until then the shopper sees it.
        const why = error instanceof Error ? error.message : String(error);
        await noteRetrying(store, { commandId, cartId: streamId, command: record?.command ?? null, reason: `${NOT_APPLIED_YET} (${why})`, code: RETRYING, at });
        throw error;
      }
      await reject(store, record, { commandId, cartId: streamId, command: record?.command ?? null, reason: error.message, code: error.code, at });
    }
  }
}

async function decideAgain(target: SyncTarget, streamId: string, commandId: string, record: CommandRecord | undefined): Promise<void> {
  // Events appended outside the command path have no journalled command to decide again.
  if (!record) throw new DomainError('not_journalled', 'This change could not be applied again: this device kept no record of the command that made it.');
  await target.rerun(streamId, record.command, commandId);
}
