// A database the browser recreated is told, never shown as an empty cart (src/ui/lost-database.ts):
// the session says so when the browser reported dataLoss as it opened the database, and when the
// database is new on a profile that held carts (its files deleted while the browser was closed).
import { afterEach, describe, expect, it } from 'vitest';
import { openEarly } from '../../src/es/early-open.ts';
import { deleteEventStore } from '../../src/es/index.ts';
import { NATIVE_VERSION } from '../../src/es/schema.ts';
import { openSession, type Session } from '../../src/ui/session.ts';
import { HAD_CARTS_KEY, PENDING_KEY, PENDING_LIST_KEY } from '../../src/ui/stored-keys.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000e002';

function memoryStorage(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  return { map, getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
}

const sessions: Session[] = [];
const databases = new Set<string>();
const restores: (() => void)[] = [];
afterEach(async () => {
  restores.splice(0).forEach((restore) => restore());
  sessions.splice(0).forEach((session) => session.close());
  for (const name of databases) await deleteEventStore(name);
  databases.clear();
});

async function open(storage: ReturnType<typeof memoryStorage>, dbName: string): Promise<Session> {
  databases.add(dbName);
  const session = await openSession({ storage, deviceId: DEVICE, dbName });
  sessions.push(session);
  return session;
}

/** The browser's next opens of `name` say, as Chromium does after deleting a corrupt store, that the data is gone. */
function browserLosesData(name: string, message = 'Corruption: checksum mismatch') {
  const factory = indexedDB as IDBFactory & { open: IDBFactory['open'] };
  const open = factory.open.bind(factory);
  factory.open = (openName: string, version?: number) => {
    const request = version === undefined ? open(openName) : open(openName, version);
    // Added before any other listener: the event carries the fields when the page's listeners read it.
    if (openName === name) request.addEventListener('upgradeneeded', (event) => Object.assign(event, { dataLoss: 'total', dataLossMessage: message }));
    return request;
  };
  restores.push(() => delete (factory as Partial<IDBFactory>).open);
}

describe('a database the browser lost', () => {
  it('is told when the browser said it deleted the data (dataLoss), with its words', async () => {
    const name = uniqueName('lost');
    browserLosesData(name);
    const session = await open(memoryStorage(), name);
    expect(session.lostDatabase).toMatchObject({ why: 'dataLoss' });
    expect(session.lostDatabase?.message).toMatch(/The browser deleted this device’s carts.*checksum mismatch/);
    expect(session.state.lostDatabase).toEqual(session.lostDatabase);
  });

  it('is told also when the page’s early open heard it and gave the upgrade up', async () => {
    const name = uniqueName('lost-early');
    browserLosesData(name);
    openEarly(name, NATIVE_VERSION, []);
    // The early open answers before the store takes it over: it aborts the upgrade, the store opens anew.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const session = await open(memoryStorage(), name);
    expect(session.lostDatabase).toMatchObject({ why: 'dataLoss' });
  });

  it('is told when its files went while the browser was closed: a new database on a profile that held carts', async () => {
    const storage = memoryStorage();
    const name = uniqueName('lost-files');
    const first = await open(storage, name);
    expect(first.lostDatabase).toBeUndefined();
    expect(storage.map.has(HAD_CARTS_KEY)).toBe(false);
    expect(await first.run({ type: 'RenameCart', data: { name: 'Weekly' } })).toBe(true);
    expect(storage.map.has(HAD_CARTS_KEY)).toBe(true);
    first.close();
    await deleteEventStore(name);

    const after = await open(storage, name);
    expect(after.lostDatabase).toMatchObject({ why: 'marker' });
    expect(after.lostDatabase?.message).toMatch(/carts are gone/);
    expect(after.lostDatabase?.unsynced).toBeUndefined(); // sync never counted anything here
  });

  it('says how many changes had not reached the sync server, as sync last counted them', async () => {
    const name = uniqueName('lost-pending');
    browserLosesData(name);
    const listed = JSON.stringify(['Weekly: Add 2 × Bananas, 1 kg', 'Weekly: Check out']);
    const session = await open(memoryStorage({ [HAD_CARTS_KEY]: '2026-12-01T00:00:00.000Z', [PENDING_KEY]: '3', [PENDING_LIST_KEY]: listed }), name);
    expect(session.lostDatabase).toMatchObject({ why: 'dataLoss', unsynced: 3, unsyncedList: ['Weekly: Add 2 × Bananas, 1 kg', 'Weekly: Check out'] });
    const off = uniqueName('lost-sync-off');
    browserLosesData(off);
    expect((await open(memoryStorage({ [PENDING_KEY]: 'off' }), off)).lostDatabase?.unsynced).toBeUndefined();
  });

  it('says nothing on a first visit, nor on a database that is still there', async () => {
    const storage = memoryStorage();
    const name = uniqueName('kept');
    const first = await open(storage, name);
    expect(first.lostDatabase).toBeUndefined();
    await first.run({ type: 'RenameCart', data: { name: 'Weekly' } });
    first.close();
    expect((await open(storage, name)).lostDatabase).toBeUndefined();
  });
});
