// Stream heads carry the rows of their cart (head-rows.ts), so reading every head means reading
// every cart: with 1,000 carts, ~35 ms of one main-thread task. Sync asks two questions of the
// heads on every push and every start — which streams have events to push, which are another
// account's — and both are answered by a few of them. Two sparse indexes answer them without
// reading the rest: IndexedDB leaves a record out of an index whose key path it lacks.
// - `outbox` (1) is on a head exactly while it has pending events (version > confirmedThrough);
// - `foreign` (the reason) is on a head marked as another account's, and is indexed as it is.
// `outbox` is derived from the head as it is written, in one place below the tables (a Dexie
// middleware), so no write path can leave it stale.
import type { DBCore, DBCoreMutateRequest, DBCoreTable, Middleware } from 'dexie';
import type { StreamHead } from './db.ts';

/** The head as stored: `outbox` set exactly when it has pending events. */
export function withOutbox(head: StreamHead): StreamHead {
  const pending = head.version > head.confirmedThrough;
  if (pending === (head.outbox === 1)) return head;
  if (pending) return { ...head, outbox: 1 };
  const { outbox: _stale, ...rest } = head;
  return rest;
}

/** Keeps `outbox` right on every head written to the `streams` table. */
export const headIndexes: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'HeadIndexes',
  create: (down) => ({
    ...down,
    table(name: string): DBCoreTable {
      const table = down.table(name);
      if (name !== 'streams') return table;
      return {
        ...table,
        mutate: (req: DBCoreMutateRequest) =>
          table.mutate(req.type === 'add' || req.type === 'put' ? { ...req, values: req.values.map((head: StreamHead) => withOutbox(head)) } : req),
      };
    },
  }),
};
