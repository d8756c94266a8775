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
import { heal, readHealing, startHealing } from './healing.ts';
import { putCursor, readCursor, writeCursor, type Cursor, type Upstream } from './rows.ts';
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

/** A pull from the cursor: each page's events go in with the cursor past them, in one commit. */
async function pullOn(context: PullContext, wait: number, signal: AbortSignal | undefined): Promise<number> {
  const { store } = context.target;
  let cursor = await readCursor(store, context.upstream);
  if (cursor.after > 0 && cursor.check === undefined) cursor = await withCheck(context, cursor);
  const sink: PageSink = {
    checksHeld: true,
    alongside: (past) => putCursor(context.upstream, past),
    async afterPage(_page, { now }, held, moved) {
      if (held.size === 0 && !moved) await writeCursor(store, context.upstream, now);
    },
  };
  const pass = async (from: Cursor) => {
    const { received, cursor: end, settled } = await pullFrom(context, from, from === cursor ? wait : 0, signal, sink);
    // Streams settled at the end, or a log adopted: the cursor moves only now.
    if (settled || end.log !== from.log) await writeCursor(store, context.upstream, end);
    return received;
  };
  try {
    return await pass(cursor);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    // The log here misses upstream events it should have (a lost cursor, a tab's rebase at the
    // same time): start over from the beginning; events already here are recognised and skipped.
    const fromStart = { after: 0, ...(cursor.log ? { log: cursor.log } : {}) };
    await writeCursor(store, context.upstream, fromStart);
    return pass(fromStart);
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

/** Events of streams with a pending tail, held back to be settled (rebase.ts) a whole command at a time. */
export type Held = Map<string, ConfirmedEvent[]>;

/** What a pass does around each page it pulled (an ordinary pull, or healing). */
export interface PageSink {
  /** Pulled events where this device holds confirmed ones must match them (not while healing: none are). */
  checksHeld: boolean;
  /** A write to commit with the page's events when no stream of it is held: the cursor past it. */
  alongside?: (past: Cursor) => (tables: Tables) => Promise<unknown>;
  /** After the page's events went in (`moved`: alongside committed with them); may settle held streams. */
  afterPage: (page: readonly ConfirmedEvent[], progress: { before: Cursor; now: Cursor; more: boolean }, held: Held, moved: boolean) => Promise<void>;
}

/**
 * Pages from `from` until the server has no more; streams still held at the end are settled.
 * Returns the events received, the cursor past the last page, and whether any stream was
 * settled at the end.
 */
export async function pullFrom(
  { target, server, upstream, now, limit = PULL_LIMIT }: PullContext,
  from: Cursor,
  wait: number,
  signal: AbortSignal | undefined,
  sink: PageSink,
): Promise<{ received: number; cursor: Cursor; settled: boolean }> {
  const held: Held = new Map();
  let received = 0;
  let { after, log, check } = from;
  const cursor = (): Cursor => ({ after, ...(log ? { log } : {}), ...(check && after > 0 ? { check } : {}) });

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
        const before = cursor();
        const past = sink.alongside?.({ after: last.position, log: page.log, check: last.id });
        const moved = await apply(target, upstream, page.events, held, sink.checksHeld ? page.log : undefined, past);
        received += page.events.length;
        after = last.position;
        check = last.id;
        await sink.afterPage(page.events, { before, now: cursor(), more: page.more }, held, moved);
      }
      if (!page.more) break;
    }
  } finally {
    ahead.abort();
  }
  for (const [streamId, events] of held) await settleStream(target, streamId, events, now);
  return { received, cursor: cursor(), settled: held.size > 0 };
}

/** Returns true when `alongside` (the cursor's move) committed with the events. */
async function apply(
  target: SyncTarget,
  upstream: Upstream,
  events: readonly ConfirmedEvent[],
  held: Held,
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
