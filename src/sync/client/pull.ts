// Pulling: pages of upstream events after a persisted cursor, until caught up. Events of streams
// without a pending tail go straight in (bulk, many streams per transaction). Events of streams
// with one are held until the pass ends — a pushed command can straddle two pull pages, and a
// rebase wants whole commands — then each such stream is settled (rebase.ts). The cursor never
// moves past a held event before it is settled, so a crash only means pulling some events again.
import { ConcurrencyError } from '../../es/errors.ts';
import type { ConfirmedEvent } from '../protocol.ts';
import { settleStream, type SyncTarget } from './rebase.ts';
import { readCursor, writeCursor, type Upstream } from './rows.ts';
import { SyncRequestError, type SyncServer } from './server.ts';

export const PULL_LIMIT = 500;

export interface PullContext {
  target: SyncTarget;
  server: SyncServer;
  upstream: Upstream;
  now: () => Date;
}

/** Pulls until the server has nothing more (the first request may wait); returns the events received. */
export async function pullPass(context: PullContext, wait: number, signal?: AbortSignal): Promise<number> {
  try {
    return await pullFrom(context, await readCursor(context.target.store, context.upstream), wait, signal);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    // The log here misses upstream events it should have (a lost cursor, a restored backup):
    // start over from the beginning; events already here are recognised and skipped.
    await writeCursor(context.target.store, context.upstream, 0);
    return pullFrom(context, 0, 0, signal);
  }
}

async function pullFrom({ target, server, upstream, now }: PullContext, after: number, wait: number, signal: AbortSignal | undefined): Promise<number> {
  const { store } = target;
  const held = new Map<string, ConfirmedEvent[]>();
  let received = 0;
  for (let first = true; ; first = false) {
    const page = await server.pull({ after, limit: PULL_LIMIT, wait: first ? wait : 0 }, signal);
    if (!Array.isArray(page.events) || page.events.some((e, i) => !(e.position > (i ? page.events[i - 1]!.position : after))))
      throw new SyncRequestError('server', 'The sync server answered a pull with events out of order.');
    if (first && page.head < after) {
      // It counts lower than what was already seen here: another server, or one that lost its data.
      await writeCursor(store, upstream, 0);
      return received + (await pullFrom({ target, server, upstream, now }, 0, 0, signal));
    }
    if (page.events.length) {
      await apply(target, page.events, held);
      received += page.events.length;
      after = page.events[page.events.length - 1]!.position;
      if (held.size === 0) await writeCursor(store, upstream, after);
    }
    if (!page.more) break;
  }
  for (const [streamId, events] of held) await settleStream(target, streamId, events, now);
  if (held.size) await writeCursor(store, upstream, after);
  return received;
}

async function apply(target: SyncTarget, events: readonly ConfirmedEvent[], held: Map<string, ConfirmedEvent[]>): Promise<void> {
  const { store } = target;
  const streamIds = [...new Set(events.map((e) => e.streamId))];
  const heads = await store.use((db) => db.streams.bulkGet(streamIds));
  heads.forEach((head, i) => {
    if (head && head.version > head.confirmedThrough && !held.has(streamIds[i]!)) held.set(streamIds[i]!, []);
  });
  const free = events.filter((e) => !held.has(e.streamId));
  for (const e of events) held.get(e.streamId)?.push(e);
  if (free.length === 0) return;
  try {
    await store.appendBulk(free);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    // A command went into one of these streams since their heads were read: settle them one by one.
    for (const e of free) (held.get(e.streamId) ?? held.set(e.streamId, []).get(e.streamId)!).push(e);
  }
}
