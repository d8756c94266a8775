// CONTRACT §5: a command acknowledged locally is on disk — every readwrite transaction asks for
// durability 'strict' where the engine offers it (Chromium's default is 'relaxed').
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandHandler, deleteEventStore, openEventStore, type EventStore } from '../../src/es/index.ts';
import { envelopes, noteCount, noteDecider, uniqueName } from './fixtures.ts';

/** Records every readwrite transaction the page opens from now on, until `stop`. */
function watchTransactions() {
  const proto = IDBDatabase.prototype;
  const transaction = proto.transaction;
  const seen: IDBTransaction[] = [];
  proto.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    const tx = transaction.apply(this, args);
    if (tx.mode === 'readwrite') seen.push(tx);
    return tx;
  };
  return { seen, stop: () => void (proto.transaction = transaction) };
}

export function durabilitySuite(environment: string): void {
  describe(`durability (${environment})`, () => {
    const opened: EventStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) {
        store.close();
        await deleteEventStore(store.name);
      }
    });

    it("commits commands, bulk writes and sync's rows with durability 'strict'", async (context) => {
      const watch = watchTransactions();
      try {
        const store = await openEventStore({ name: uniqueName('durability'), projections: [noteCount] });
        opened.push(store);
        const handle = createCommandHandler({ store, decider: noteDecider, deviceId: '0192f3c4-0000-7000-8000-0000000000cc', schemaVersionOf: () => 2 });
        await handle('notes', { text: 'a' }, { commandId: crypto.randomUUID() });
        await store.appendBulk(envelopes('bulk', 3));
        await store.use((db) => db.readModels.put({ projection: 'sync:cursor', key: '', value: { after: 1 } }));
        await store.catchUp();
        expect(watch.seen.length).toBeGreaterThanOrEqual(3);
        // An engine that does not expose the hint has nothing to check.
        if (!('durability' in watch.seen[0]!)) context.skip();
        expect(new Set(watch.seen.map((tx) => tx.durability))).toEqual(new Set(['strict']));
      } finally {
        watch.stop();
      }
    });
  });
}
