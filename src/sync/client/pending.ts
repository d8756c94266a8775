// How many events wait to be pushed (CONTRACT §6 data-pending), kept per stream and refreshed
// only for the streams a change touched — here or in another tab — so a command costs one small
// read, not a scan of every cart. Streams of another account are counted apart: they never sync.
import type { StreamHead } from '../../es/db.ts';
import type { EventStore } from '../../es/store.ts';

export interface PendingCount {
  /** Unsynced events of streams this account pushes. */
  readonly pending: number;
  /** Streams marked as another account's. */
  readonly foreign: number;
  /** Resolves once every refresh asked for so far has been read. */
  settled: () => Promise<void>;
  /** Reads these streams' heads again (all of them when absent). */
  refresh: (streamIds?: readonly string[]) => Promise<void>;
  close: () => void;
}

export function countPending(store: EventStore, onChange: () => void): PendingCount {
  const streams = new Map<string, { pending: number; foreign: boolean }>();
  let pending = 0;
  let foreign = 0;
  let closed = false;

  const note = (head: StreamHead) => streams.set(head.streamId, { pending: head.version - head.confirmedThrough, foreign: head.foreign !== undefined });
  function total() {
    let [p, f] = [0, 0];
    for (const s of streams.values()) {
      if (s.foreign) f++;
      else p += s.pending;
    }
    if (p === pending && f === foreign) return;
    [pending, foreign] = [p, f];
    if (!closed) onChange();
  }

  // One read at a time, in the order asked, so an older read never overwrites a newer one.
  let queue: Promise<void> = Promise.resolve();
  function refresh(streamIds?: readonly string[]): Promise<void> {
    queue = queue
      .then(async () => {
        if (closed) return;
        if (streamIds) {
          const heads = await store.use((db) => db.streams.bulkGet([...streamIds]));
          heads.forEach((head, i) => (head ? note(head) : streams.delete(streamIds[i]!)));
        } else {
          // Only the heads with pending events and those of another account count: the indexes
          // of head-index.ts find them without reading every cart.
          const [withPending, foreignIds] = await store.use((db) =>
            db.transaction('r', db.streams, () => Promise.all([db.streams.where('outbox').equals(1).toArray(), db.streams.orderBy('foreign').primaryKeys()])),
          );
          streams.clear();
          withPending.forEach(note);
          for (const streamId of foreignIds) if (!streams.has(streamId)) streams.set(streamId, { pending: 0, foreign: true });
        }
        total();
      })
      .catch(() => {}); // a closed database: the engine reports that where it matters
    return queue;
  }

  const unsubscribe = store.subscribe((change) => void refresh(change.streamIds));
  void refresh();
  return {
    get pending() {
      return pending;
    },
    get foreign() {
      return foreign;
    },
    settled: () => queue,
    refresh,
    close() {
      closed = true;
      unsubscribe();
    },
  };
}

/** A change waiting for the server, as the device journalled it (its command), for words. */
export interface PendingChange {
  commandId: string;
  cartId: string;
  /** The journalled command; null where the device kept none. */
  command: unknown;
}

/**
 * The first `limit` changes waiting for the server, in the order they would be pushed (carts of
 * another account left out): what a database the browser deletes would take with it.
 */
export async function listPending(store: EventStore, limit: number): Promise<PendingChange[]> {
  const events = await store.outbox(limit * 3);
  const order = [...new Map(events.map((e) => [e.meta.commandId, e.streamId])).entries()].slice(0, limit);
  const records = await store.use((db) => db.commands.bulkGet(order.map(([commandId]) => commandId)));
  return order.map(([commandId, cartId], i) => ({ commandId, cartId, command: records[i]?.command ?? null }));
}
