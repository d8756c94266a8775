// The page's early open (src/es/early-open.ts): sent before the store exists, taken over by the
// store that opens the same database in the same task, and harmless when nobody takes it — it
// neither keeps a connection open nor creates or upgrades a database. Run in Node
// (fake-indexeddb) and in the three browsers.
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { LAYOUT } from '../../src/es/db.ts';
import { openEarly } from '../../src/es/early-open.ts';
import { openEventStore, type EventStore, type Projection } from '../../src/es/index.ts';
import { NATIVE_VERSION, SCHEMA_VERSION } from '../../src/es/schema.ts';
import { closedAfterEach, note, noteCount, uniqueName, type NoteCount } from './fixtures.ts';

/** Its rows ride in the stream heads, as the cart's view does. */
const headed: Projection<NoteCount> = { ...noteCount, byStream: true };
/** Long enough for IndexedDB to answer an open nobody took over. */
const answered = () => new Promise((resolve) => setTimeout(resolve, 100));

export function earlyOpenSuite(environment: string): void {
  describe(`the page's early open (${environment})`, () => {
    const { stores, names } = closedAfterEach();

    async function seeded(): Promise<{ name: string; row: NoteCount }> {
      const name = uniqueName('early-open');
      names.add(name);
      const store = await openEventStore({ name, projections: [headed] });
      await store.appendToStream('a', [note('one'), note('two')]);
      await store.appendToStream('b', [note('three')]);
      const row = (await store.getRow<NoteCount>('noteCount', 'a'))!;
      store.close();
      return { name, row };
    }

    /** Counts the opens the code under test sends itself, until `restore`. */
    function countOpens() {
      const open = indexedDB.open;
      let sent = 0;
      indexedDB.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
        sent++;
        return open.apply(this, args);
      } as IDBFactory['open'];
      return { sent: () => sent, restore: () => void (indexedDB.open = open) };
    }

    function open(name: string, readAtOpen: [string, string][]): Promise<EventStore> {
      names.add(name);
      return openEventStore({ name, projections: [headed], readAtOpen }).then((store) => (stores.push(store), store));
    }

    it('is taken over by the store opening the database in the same task, with the rows it read', async () => {
      const { name, row } = await seeded();
      openEarly(name, NATIVE_VERSION, ['a', 'missing']);
      const opens = countOpens();
      try {
        const store = await open(name, [
          ['noteCount', 'a'],
          ['noteCount', 'missing'],
        ]);
        expect(opens.sent()).toBe(0);
        expect(store.rowsAtOpen).toEqual([row, undefined]);
        await store.appendToStream('a', [note('four')]);
        expect((await store.getRow<NoteCount>('noteCount', 'a'))!.count).toBe(3);
      } finally {
        opens.restore();
      }
    });

    it('leaves the store to read a row it did not read itself', async () => {
      const { name } = await seeded();
      openEarly(name, NATIVE_VERSION, ['a']);
      const store = await open(name, [['noteCount', 'b']]);
      expect(store.rowsAtOpen).toEqual([{ count: 1, lastVersion: 1, texts: ['three'] }]);
    });

    it('once answered, is not taken over: the store opens the database itself', async () => {
      const { name, row } = await seeded();
      openEarly(name, NATIVE_VERSION, ['a']);
      await answered();
      const opens = countOpens();
      try {
        const store = await open(name, [['noteCount', 'a']]);
        expect(opens.sent()).toBe(1);
        expect(store.rowsAtOpen).toEqual([row]);
      } finally {
        opens.restore();
      }
    });

    it('nobody takes over keeps no connection open: deleting the database is not blocked', async () => {
      const { name } = await seeded();
      openEarly(name, NATIVE_VERSION, ['a']);
      await answered();
      const blocked = await new Promise<boolean>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(name);
        let wasBlocked = false;
        request.onblocked = () => (wasBlocked = true);
        request.onsuccess = () => resolve(wasBlocked);
        request.onerror = () => reject(request.error);
      });
      expect(blocked).toBe(false);
    });

    it('nobody takes over creates no database', async () => {
      const name = uniqueName('early-open-none');
      names.add(name);
      openEarly(name, NATIVE_VERSION, []);
      await answered();
      expect(await Dexie.exists(name)).toBe(false);
    });

    async function olderDatabase(): Promise<string> {
      const name = uniqueName('early-open-old');
      names.add(name);
      const older = new Dexie(name);
      older.version(SCHEMA_VERSION - 1).stores(LAYOUT);
      await older.open();
      older.close();
      return name;
    }

    it('of an older database, nobody taking it over, leaves the database as it was', async () => {
      const name = await olderDatabase();
      openEarly(name, NATIVE_VERSION, ['a']);
      await answered();
      expect(await nativeVersion(name)).toBe(NATIVE_VERSION - 10);
      // The store opens (and upgrades) it as usual afterwards.
      const store = await open(name, [['noteCount', 'a']]);
      await store.appendToStream('a', [note('one')]);
      expect(await store.getRow<NoteCount>('noteCount', 'a')).toEqual({ count: 1, lastVersion: 1, texts: ['one'] });
      store.close();
      expect(await nativeVersion(name)).toBe(NATIVE_VERSION);
    });

    it('of an older database is upgraded by the store that takes it over', async () => {
      const name = await olderDatabase();
      openEarly(name, NATIVE_VERSION, ['a']);
      const store = await open(name, [['noteCount', 'a']]);
      expect(store.rowsAtOpen).toEqual([undefined]);
      await store.appendToStream('a', [note('one')]);
      expect(await store.getRow<NoteCount>('noteCount', 'a')).toEqual({ count: 1, lastVersion: 1, texts: ['one'] });
      store.close();
      expect(await nativeVersion(name)).toBe(NATIVE_VERSION);
    });
  });
}

/** The database's version, opened without asking for one (so without upgrading it). */
function nativeVersion(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => {
      const version = request.result.version;
      request.result.close();
      resolve(version);
    };
    request.onerror = () => reject(request.error);
  });
}
