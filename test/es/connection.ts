// The browser may drop a tab's IndexedDB connection under a running session (WebKit does so to
// background tabs: "Connection to Indexed Database server lost"). The store reopens it and tries
// once more; a command only if it provably did not commit; twice in a row, it says so.
// Run in Node (fake-indexeddb) and in real Chromium.
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLostError, createCommandHandler, deleteEventStore, openEventStore, type EventStore } from '../../src/es/index.ts';
import { noteCount, noteDecider, uniqueName } from './fixtures.ts';

/** What WebKit throws when it dropped the connection. */
const lostError = () => Object.assign(new Error('Connection to Indexed Database server lost. Refresh the page to try again'), { name: 'UnknownError' });

/** The next `times` readwrite transactions fail as on a dropped connection; `after`: once they ran (their answer is lost). */
function dropConnection(store: EventStore, { times = 1, after = false } = {}) {
  const db = store.db;
  const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  let left = times;
  (db as { transaction: unknown }).transaction = async (...args: unknown[]) => {
    if (args[0] !== 'rw' || left === 0) return transaction(...args);
    left--;
    if (after) await transaction(...args);
    db.backendDB().close();
    throw lostError();
  };
}

export function connectionSuite(environment: string, options: { forceClose?: (db: IDBDatabase) => void } = {}): void {
  describe(`a dropped database connection (${environment})`, () => {
    const opened: EventStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) {
        store.close();
        await deleteEventStore(store.name);
      }
    });

    async function session(decide?: () => void) {
      const store = await openEventStore({ name: uniqueName('connection'), projections: [noteCount] });
      opened.push(store);
      const lost: ConnectionLostError[] = [];
      store.onConnectionLost((error) => lost.push(error));
      const decider = {
        ...noteDecider,
        decide: (command: { text: string }) => {
          decide?.();
          return noteDecider.decide(command, 0);
        },
      };
      const handle = createCommandHandler({ store, decider, deviceId: '0192f3c4-0000-7000-8000-0000000000bb', schemaVersionOf: () => 2 });
      const add = (text: string) => handle('notes', { text }, { commandId: crypto.randomUUID() });
      const texts = async () => (await store.readStream('notes')).map((e) => (e.data as { text: string }).text);
      return { store, add, texts, lost };
    }

    it('reopens a connection the browser closed without a word, and carries on', async () => {
      const { store, add, texts, lost } = await session();
      await add('before');
      store.db.backendDB().close();
      expect((await add('after')).events).toHaveLength(1);
      expect(await texts()).toEqual(['before', 'after']);
      expect(await store.getRow('noteCount', 'notes')).toMatchObject({ count: 2 });
      expect(lost).toEqual([]);
    });

    it('does not apply a command twice when the connection dropped after it committed', async () => {
      const { store, add, texts, lost } = await session();
      await add('first');
      dropConnection(store, { after: true });
      const result = await add('second');
      expect(result).toMatchObject({ duplicate: false, version: 2 });
      expect(result.events.map((e) => e.version)).toEqual([2]);
      expect(await texts()).toEqual(['first', 'second']);
      expect(lost).toEqual([]);
    });

    it('tries a command that did not commit once more, and applies it', async () => {
      const { store, add, texts, lost } = await session();
      dropConnection(store);
      expect((await add('only')).events).toHaveLength(1);
      expect(await texts()).toEqual(['only']);
      expect(lost).toEqual([]);
    });

    it('says so when the connection drops twice in a row, keeps nothing half-written, and recovers', async () => {
      const { store, add, texts, lost } = await session();
      await add('kept');
      dropConnection(store, { times: 2 });
      await expect(add('refused')).rejects.toBeInstanceOf(ConnectionLostError);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.message).toMatch(/reload/i);
      expect(await texts()).toEqual(['kept']);
      await add('later');
      expect(await texts()).toEqual(['kept', 'later']);
    });

    if (options.forceClose) {
      const forceClose = options.forceClose;
      it('survives a forced close in the middle of a command', async () => {
        let store: EventStore | undefined;
        let closes = 1;
        const s = await session(() => {
          if (closes-- > 0) forceClose(store!.db.backendDB());
        });
        store = s.store;
        expect((await s.add('in flight')).events).toHaveLength(1);
        expect(await s.texts()).toEqual(['in flight']);
        expect(s.lost).toEqual([]);
      });
    }
  });
}
