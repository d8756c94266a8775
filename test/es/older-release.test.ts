// A database and code of different releases (src/es/open-report.ts, src/es/head-check.ts): this
// release opens nothing on a database a newer one upgraded, and what the previous release wrote on
// this release's database — heads without their outbox mark — is pushed once this release opens it again.
import { afterEach, describe, expect, it } from 'vitest';
import { openEarly } from '../../src/es/early-open.ts';
import { MARKS_CHECKED } from '../../src/es/head-check.ts';
import { reportingFactory } from '../../src/es/open-report.ts';
import { NATIVE_VERSION } from '../../src/es/schema.ts';
import { deleteEventStore, NewerDatabaseError, openEventStore, type EventStore } from '../../src/es/index.ts';
import { envelopes, noteCount, uniqueName } from './fixtures.ts';

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) await deleteEventStore(name);
});

async function store(name = uniqueName('release')): Promise<EventStore> {
  names.push(name);
  return openEventStore({ name, projections: [noteCount] });
}

/** Opens `name` with IndexedDB alone, at `version` (the stored one when absent). */
function rawOpen(name: string, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(request: IDBRequest | IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    if ('oncomplete' in request) {
      request.oncomplete = () => resolve();
      request.onabort = () => reject(request.error);
    } else {
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    }
  });
}

describe('a database newer than the code', () => {
  /** What the next release does to this release's database: a version up, a table more. */
  async function upgradedByNextRelease(name: string): Promise<void> {
    const db = await rawOpen(name, NATIVE_VERSION + 10, (db) => db.createObjectStore('later'));
    db.close();
  }

  it('is refused with the reason, and left as it was', async () => {
    const first = await store();
    await first.appendToStream('s', envelopes('s', 1));
    first.close();
    await upgradedByNextRelease(first.name);
    await expect(store(first.name)).rejects.toBeInstanceOf(NewerDatabaseError);
    await expect(store(first.name)).rejects.toThrow(/newer version of cartlog.*Reload/);
    // Dexie would have opened it anyway, and patched in what its schema missed (a version more).
    const db = await rawOpen(first.name);
    expect(db.version).toBe(NATIVE_VERSION + 10);
    db.close();
  });

  it('is not seen where there is none: an open without a version of a database at the code’s own version goes on', async () => {
    // WebKit makes Dexie open so at times on a fresh profile; refusing it told a new device that
    // a newer cartlog had been used there (the engines' WebKit sync journey, 3 runs of 4).
    const first = await store();
    first.close();
    const factory = reportingFactory(first.name, indexedDB);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(first.name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    expect(db.version).toBe(NATIVE_VERSION);
    db.close();
    expect(() => factory.open(first.name, NATIVE_VERSION + 1)).toThrow(NewerDatabaseError);
  });

  it('is refused also when the page began opening it early', async () => {
    const first = await store();
    first.close();
    await upgradedByNextRelease(first.name);
    openEarly(first.name, NATIVE_VERSION, ['s']);
    await expect(store(first.name)).rejects.toBeInstanceOf(NewerDatabaseError);
  });
});

describe('what the previous release wrote on this release’s database', () => {
  /**
   * The previous release, let in by Dexie: it appends pages and writes heads its own way — here
   * without the outbox mark this release's index reads (head-index.ts), as a release that marks
   * heads otherwise would. Straight to IndexedDB, past this release's middleware.
   */
  async function previousReleaseAppends(name: string, writes: { streamId: string; version: number; confirmedThrough: number }[]): Promise<void> {
    const db = await rawOpen(name);
    const tx = db.transaction(['pages', 'streams'], 'readwrite');
    for (const { streamId, version, confirmedThrough } of writes) {
      const [event] = envelopes(streamId, 1, version);
      tx.objectStore('pages').add({ streamId, first: version, last: version, types: [event!.type], events: [event] });
      tx.objectStore('streams').put({ streamId, version, confirmedThrough });
    }
    await done(tx);
    db.close();
  }

  it('is found by the outbox once this release opens the database again', async () => {
    const current = await store();
    await current.appendToStream('synced', envelopes('synced', 1));
    await current.confirm([{ streamId: 'synced', version: 1, position: 1 }]);
    expect(await current.outbox()).toEqual([]);
    current.close();

    await previousReleaseAppends(current.name, [
      { streamId: 'synced', version: 2, confirmedThrough: 1 },
      { streamId: 'new-cart', version: 1, confirmedThrough: 0 },
    ]);

    const again = await store(current.name);
    const pending = await again.outbox();
    expect(pending.map((e) => `${e.streamId}@${e.version}`).sort()).toEqual(['new-cart@1', 'synced@2']);
    again.close();
  });

  it('costs no read of the log at the next open when nothing else wrote: bulk writes keep the record at the log’s end', async () => {
    const current = await store();
    await current.appendToStream('a', envelopes('a', 1));
    await current.appendBulk(envelopes('b', 250));
    const [record, last] = await current.use((db) => Promise.all([db.projections.get(MARKS_CHECKED), db.pages.orderBy('seq').lastKey()]));
    expect(record?.checkpoint).toBe(last);
    current.close();
  });
});
