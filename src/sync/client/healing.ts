// Healing (CONTRACT §5): the server lacks events this device holds as confirmed — another
// server, a fresh database, a restore from an older backup — so the device pulls that log from 0
// and fills it again. Every step works over one stored marker (a row beside the cursor), so each
// crash window reads in one place:
//
//   start   one transaction: the marker (after 0) + every event of this account's carts back to
//           pending. A crash before it: nothing happened, the next sync sees the loss again.
//           A crash after it: pushes wait (engine.ts checks the marker) and the pass resumes.
//   pull    pages from the marker's `after`. Each page's events take the log's positions where
//           they match by id (whole commands, also inside a stored page), carts that went on
//           elsewhere are rebased (rebase.ts), and the marker moves past what is settled — never
//           past a cart still waiting on the next page. A crash resumes from the marker.
//   finish  one transaction: the marker goes and the cursor (the log's position and id) is
//           written. Then the engine pushes what the log lacks, as it is (same ids, versions).
//
// The marker carries the pass's id: a tab that finds another id knows another tab began a pass
// (two tabs lead at once where Web Locks are missing), and neither starts nor ends that one.
import { v7 as uuidv7 } from 'uuid';
import type { ReadModelRow } from '../../es/db.ts';
import { ConcurrencyError, InvalidEventError } from '../../es/errors.ts';
import type { EventStore, StoreTransaction } from '../../es/store.ts';
import { unconfirmStreams } from '../../es/upstream.ts';
import type { ConfirmedEvent } from '../protocol.ts';
import { pullFrom, type Held, type PageSink, type PullContext } from './pull.ts';
import { settleStream, type SyncTarget } from './rebase.ts';
import { CURSOR, cursorRow, HEALING, sameUpstream, type Cursor, type Upstream } from './rows.ts';

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
    // An engine whose target is no longer the device's (its settings were just replaced) starts nothing.
    if (!sameUpstream((await tables.readModels.get([CURSOR, '']))?.value as Upstream | undefined, upstream)) return false;
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

/**
 * The healing pass: the log from the marker on, carts settled as pages arrive, then the marker
 * goes. A cart that cannot be settled (its events no longer fit, or cannot be read here) is
 * reported once the pass ends; every other cart goes on.
 */
export async function heal(context: PullContext, marker: Healing, signal: AbortSignal | undefined): Promise<number> {
  const { target, upstream } = context;
  const unsettled = new Map<string, string>();
  const settle = async (streamId: string, events: readonly ConfirmedEvent[]) => {
    try {
      await settleStream(target, streamId, events, context.now);
    } catch (error) {
      if (!(error instanceof ConcurrencyError || error instanceof InvalidEventError)) throw error;
      unsettled.set(streamId, error.message);
    }
  };
  const sink: PageSink = {
    checksHeld: false,
    async afterPage(events, { before, now, more }, held) {
      const settled = await settleAsPagesArrive(target, events, more, held, settle);
      const through = settled === 'page' ? now : settled === 'before' ? before : settled;
      if (through) await writeHealing(target.store, upstream, { ...through, ...(now.log ? { log: now.log } : {}), id: marker.id });
    },
  };
  const { received, cursor } = await pullFrom(context, marker, 0, signal, sink);
  await finishHealing(target.store, upstream, marker.id, cursor);
  if (unsettled.size) {
    const [streamId, why] = [...unsettled][0]!;
    throw new UnsettledError(`The sync server’s copy of cart ${streamId} could not be taken in (${why}); the other carts are synced and it is tried again.`);
  }
  return received;
}

/** A cart healing could not settle: said in the status, tried again at the next sync. */
export class UnsettledError extends Error {
  override name = 'UnsettledError';
}

/**
 * Healing holds every cart of the account (all pending again), so it settles them page by page
 * rather than at the end — all but the cart the page ended in, whose command may go on in the
 * next page (its matching commands take their positions now) — and says how far the log is
 * settled: the whole page, up to where it was before it, or through an event inside it.
 */
async function settleAsPagesArrive(
  target: SyncTarget,
  events: readonly ConfirmedEvent[],
  more: boolean,
  held: Held,
  settle: (streamId: string, events: readonly ConfirmedEvent[]) => Promise<void>,
): Promise<'page' | 'before' | Cursor | undefined> {
  const open = more ? events[events.length - 1]!.streamId : undefined;
  for (const [streamId, waiting] of held)
    if (streamId !== open) {
      await settle(streamId, waiting);
      held.delete(streamId);
    } else held.set(streamId, await confirmWhatMatches(target, streamId, waiting));
  const first = open ? held.get(open)?.[0] : undefined;
  if (!first) return 'page';
  // Settled through the event before the first one still waiting: in this page, or before it.
  const index = events.indexOf(first);
  if (index > 0) return { after: events[index - 1]!.position, check: events[index - 1]!.id };
  return index === 0 ? 'before' : undefined;
}

/**
 * A cart that goes on in the next page is not settled yet, but while healing its events mostly
 * come back as this device holds them: those take their positions now, whole commands only (the
 * last one may go on), so one long cart is never held in memory whole and the stored progress
 * moves through it. Returns what is still waiting.
 */
async function confirmWhatMatches({ store }: SyncTarget, streamId: string, waiting: ConfirmedEvent[]): Promise<ConfirmedEvent[]> {
  const head = await store.use((db) => db.streams.get(streamId));
  if (!head || waiting.length === 0) return waiting;
  const fresh = waiting.filter((e) => e.version > head.confirmedThrough);
  const local = await store.readStream(streamId, { from: head.confirmedThrough + 1, to: head.confirmedThrough + fresh.length });
  let matching = 0;
  while (matching < fresh.length && local[matching]?.id === fresh[matching]!.id && fresh[matching]!.version === head.confirmedThrough + 1 + matching) matching++;
  const open = fresh[fresh.length - 1]?.meta.commandId;
  while (matching > 0 && fresh[matching - 1]!.meta.commandId === open) matching--;
  if (matching === 0) return fresh;
  await store.confirm(fresh.slice(0, matching).map((e) => ({ streamId, version: e.version, position: e.position })));
  return fresh.slice(matching);
}
