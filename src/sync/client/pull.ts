// Pulling: pages of upstream events after a persisted cursor, until caught up. Events of streams
// without a pending tail go straight in (bulk, many streams per transaction). Events of streams
// with one are held until the pass ends — a pushed command can straddle two pull pages, and a
// rebase wants whole commands — then each such stream is settled (rebase.ts). The cursor never
// moves past a held event before it is settled, so a crash only means pulling some events again.
//
// Every answer is also checked against the log the positions here belong to (CONTRACT §5 "Log
// identity"): another log, `cursor_mismatch`, a head below the cursor, or a position held here
// under another id means the server lacks what this device holds, and the device heals: with a
// stored marker, it pulls the log from 0 with every event of the account pending again, so its
// events match by id and take the log's positions, and what the log lacks is pushed as it is.
import type { Tables } from '../../es/db.ts';
import { ConcurrencyError } from '../../es/errors.ts';
import type { ConfirmedEvent } from '../protocol.ts';
import { settleStream, type SyncTarget } from './rebase.ts';
import { finishHealing, putCursor, readCursor, readHealing, startHealing, writeCursor, writeHealing, type Cursor, type Healing, type Upstream } from './rows.ts';
import { ownPulled } from './target.ts';
import { SyncRequestError, type SyncServer } from './server.ts';

// The protocol's largest page: half the requests and commits of 500 for a first sync.
export const PULL_LIMIT = 1000;
/**
 * A pass starts with pages of a quarter of its limit and doubles them up to it. A new device's
 * first pages run the page's code cold (not yet optimised), where a page of 1,000 held the main
 * thread for up to twice as long as warm; the two smaller pages first cost two requests.
 */
const firstPageOf = (limit: number) => Math.max(1, Math.ceil(limit / 4));
/** A server whose log changes again and again while the device heals onto it: give up for this pass. */
const HEALS_PER_PASS = 3;

export interface PullContext {
  target: SyncTarget;
  server: SyncServer;
  upstream: Upstream;
  now: () => Date;
  /** Events per pull request; default PULL_LIMIT. */
  limit?: number;
}

/** A sign that the server lacks events this device holds as confirmed (CONTRACT §5 "Healing"). */
export class LogParted extends Error {
  override name = 'LogParted';
  constructor(
    /** The log to heal onto, when the server named it. */
    readonly log: string | undefined,
    why: string,
  ) {
    super(`The sync server lacks changes this device holds (${why}): they are uploaded again.`);
  }
}

/** Pulls until the server has nothing more (the first request may wait); returns the events received. */
export async function pullPass(context: PullContext, wait: number, signal?: AbortSignal): Promise<number> {
  const { store } = context.target;
  for (let heals = 0; ; heals++) {
    const healing = await readHealing(store, context.upstream);
    try {
      if (healing) return await heal(context, healing, signal);
      return await pullOn(context, wait, signal);
    } catch (error) {
      if (!(error instanceof LogParted) || heals >= HEALS_PER_PASS) throw error;
      await startHealing(store, context.upstream, { ...(error.log ? { log: error.log } : {}), why: error.message }, healing?.id);
    }
  }
}

async function pullOn(context: PullContext, wait: number, signal: AbortSignal | undefined): Promise<number> {
  let cursor = await readCursor(context.target.store, context.upstream);
  if (cursor.after > 0 && cursor.check === undefined) cursor = await withCheck(context, cursor);
  try {
    return (await pullFrom(context, cursor, wait, signal)).received;
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    // The log here misses upstream events it should have (a lost cursor, a tab's rebase at the
    // same time): start over from the beginning; events already here are recognised and skipped.
    const fromStart = { after: 0, ...(cursor.log ? { log: cursor.log } : {}) };
    await writeCursor(context.target.store, context.upstream, fromStart);
    return (await pullFrom(context, fromStart, 0, signal)).received;
  }
}

/**
 * A cursor kept before servers had logs names no event: find the one held at its position (once,
 * a scan of the log), so the server can say whether its log is the one the positions came from.
 */
async function withCheck({ target }: PullContext, cursor: Cursor): Promise<Cursor> {
  for (let after = 0; ; ) {
    const page = await target.store.readLog({ after, limit: 200 });
    const held = page.events.find((e) => e.position === cursor.after);
    if (held) return { ...cursor, check: held.id };
    if (page.done) throw new LogParted(undefined, 'this device no longer holds the event at its cursor');
    after = page.cursor;
  }
}

/** The healing pass: the log from 0, or from where a crash left it, then the marker goes. */
async function heal(context: PullContext, healing: Healing, signal: AbortSignal | undefined): Promise<number> {
  const { received, cursor } = await pullFrom(context, healing, 0, signal, healing);
  await finishHealing(context.target.store, context.upstream, healing.id, cursor);
  return received;
}

async function pullFrom(
  { target, server, upstream, now, limit = PULL_LIMIT }: PullContext,
  from: Cursor,
  wait: number,
  signal: AbortSignal | undefined,
  /** The pass's marker while healing. */
  healing?: Healing,
): Promise<{ received: number; cursor: Cursor }> {
  const { store } = target;
  const held = new Map<string, ConfirmedEvent[]>();
  let received = 0;
  let { after, log, check } = from;
  const cursor = (): Cursor => ({ after, ...(log ? { log } : {}), ...(check && after > 0 ? { check } : {}) });

  /**
   * Healing holds every stream of the account (all pending again), so it settles them page by
   * page rather than at the end — all but the stream the page ended in, whose command may go on
   * in the next page — and stores how far it got: a crash resumes there, not from 0.
   */
  async function settleAsPagesArrive(events: readonly ConfirmedEvent[], more: boolean, before: { after: number; check: string | undefined }) {
    const open = more ? events[events.length - 1]!.streamId : undefined;
    for (const [streamId, waiting] of held)
      if (streamId !== open) {
        await settleStream(target, streamId, waiting, now);
        held.delete(streamId);
      } else held.set(streamId, await confirmWhatMatches(target, streamId, waiting));
    const first = open ? held.get(open)?.[0] : undefined;
    const index = first ? events.indexOf(first) : -1;
    // Settled through the event before the first one still waiting (or the whole page).
    const settled = !first ? { after, check } : index > 0 ? { after: events[index - 1]!.position, check: events[index - 1]!.id } : index === 0 ? before : undefined;
    if (settled && healing) await writeHealing(store, upstream, { id: healing.id, after: settled.after, ...(log ? { log } : {}), ...(settled.check && settled.after > 0 ? { check: settled.check } : {}) });
  }
  // Pipelined: the next page is asked for as soon as this one has passed its checks, so the
  // network and the server work while this page is validated and written. Its cursor comes
  // from this page alone; what this page does to the store never changes what to ask next. A
  // failure here abandons the request in flight (its answer is never applied).
  const ahead = linkedAbort(signal);
  let pageLimit = firstPageOf(limit);
  const ask = (query: { after: number; check: string | undefined; wait: number }) => {
    const size = pageLimit;
    pageLimit = Math.min(limit, pageLimit * 2);
    const asked = server
      .pull({ after: query.after, limit: size, wait: query.wait, ...(query.check && query.after > 0 ? { check: query.check } : {}) }, ahead.signal)
      .catch((error: unknown) => {
        if (error instanceof SyncRequestError && error.kind === 'cursor_mismatch') throw new LogParted(error.details.log, 'it holds other events than this device at its position');
        throw error;
      });
    asked.catch(() => {}); // awaited below, unless this pass fails first
    return asked;
  };
  try {
    let next = ask({ after, check, wait });
    for (;;) {
      const page = await next;
      if (!Array.isArray(page.events) || page.events.some((e, i) => !(e.position > (i ? page.events[i - 1]!.position : after))))
        throw new SyncRequestError('server', 'The sync server answered a pull with events out of order.');
      // Positions belong to one log: another one has not got what this device holds. A device
      // that holds no log yet (it synced before logs, or never) adopts the first that fits: its
      // `check` passed, or there was nothing to check.
      if (log !== undefined && page.log !== log) throw new LogParted(page.log, 'it is another log than this device synced with');
      log = page.log;
      // It counts lower than what was already seen here: it lost events.
      if (page.head < after) throw new LogParted(page.log, 'its log ends before what this device holds');
      const last = page.events[page.events.length - 1];
      if (page.more) next = ask({ after: last?.position ?? after, check: last?.id ?? check, wait: 0 });
      if (last) {
        const before = { after, check };
        // The cursor past this page commits in the page's own transaction, when nothing is held.
        const past = healing ? undefined : putCursor(upstream, { after: last.position, log: page.log, check: last.id });
        const moved = await apply(target, upstream, page.events, held, healing ? undefined : page.log, past);
        received += page.events.length;
        after = last.position;
        check = last.id;
        if (held.size === 0 && !healing && !moved) await writeCursor(store, upstream, cursor());
        if (healing) await settleAsPagesArrive(page.events, page.more, before);
      }
      if (!page.more) break;
    }
  } finally {
    ahead.abort();
  }
  for (const [streamId, events] of held) await settleStream(target, streamId, events, now);
  if (!healing && (held.size || log !== from.log)) await writeCursor(store, upstream, cursor());
  return { received, cursor: cursor() };
}

/**
 * A stream that goes on in the next page is not settled yet, but while healing its events
 * mostly come back as this device holds them: those take their positions now, whole commands
 * only (the last one may go on), so one long cart is never held in memory whole and the stored
 * progress moves through it. Returns what is still waiting.
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
  // confirm() takes whole stored pages: what it could not take stays waiting.
  const through = (await store.use((db) => db.streams.get(streamId)))?.confirmedThrough ?? head.confirmedThrough;
  return fresh.filter((e) => e.version > through);
}

/** Returns true when `alongside` (the cursor's move) committed with the events. */
async function apply(
  target: SyncTarget,
  upstream: Upstream,
  events: readonly ConfirmedEvent[],
  held: Map<string, ConfirmedEvent[]>,
  log: string | undefined,
  alongside: ((tables: Tables) => Promise<unknown>) | undefined,
): Promise<boolean> {
  const { store } = target;
  const streamIds = [...new Set(events.map((e) => e.streamId))];
  const heads = await store.use((db) => db.streams.bulkGet(streamIds));
  if (log !== undefined) await checkHeld(target, events, new Map(heads.filter((h) => h !== undefined).map((h) => [h.streamId, h.confirmedThrough])), log);
  heads.forEach((head, i) => {
    if (head && head.version > head.confirmedThrough && !held.has(streamIds[i]!)) held.set(streamIds[i]!, []);
  });
  const free = events.filter((e) => !held.has(e.streamId));
  for (const e of events) held.get(e.streamId)?.push(e);
  if (free.length === 0) return false;
  // The cursor may pass this page only when no stream of it is held for settling.
  const moveCursor = held.size === 0 ? alongside : undefined;
  // Carts new to this device are the pulling account's, recorded with their first events.
  const own = ownPulled(upstream.account, streamIds.filter((_, i) => heads[i] === undefined));
  try {
    await store.appendBulk(free, { alongside: (tables) => Promise.all([own(tables), moveCursor?.(tables)]) });
    return moveCursor !== undefined;
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    // A command went into one of these streams since their heads were read: settle them one by one.
    for (const e of free) (held.get(e.streamId) ?? held.set(e.streamId, []).get(e.streamId)!).push(e);
    return false;
  }
}

/**
 * Pulled events where this device holds confirmed ones (pulled again after a crash) must be the
 * same events at the same positions; a position held here under another id means the log parted.
 */
async function checkHeld(target: SyncTarget, events: readonly ConfirmedEvent[], confirmed: Map<string, number>, log: string): Promise<void> {
  const again = events.filter((e) => e.version <= (confirmed.get(e.streamId) ?? 0));
  for (const streamId of new Set(again.map((e) => e.streamId))) {
    const pulled = again.filter((e) => e.streamId === streamId);
    const local = await target.store.readStream(streamId, { from: pulled[0]!.version, to: pulled[pulled.length - 1]!.version });
    const byVersion = new Map(local.map((e) => [e.version, e]));
    if (pulled.some((e) => byVersion.get(e.version)?.id !== e.id || byVersion.get(e.version)?.position !== e.position))
      throw new LogParted(log, 'it holds other events than this device at their positions');
  }
}

/** A controller that aborts with `parent` too (AbortSignal.any is newer than Safari 15.4). */
function linkedAbort(parent: AbortSignal | undefined) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    abort() {
      parent?.removeEventListener('abort', onAbort);
      controller.abort();
    },
  };
}
