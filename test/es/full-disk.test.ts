import { forceCloseDatabase } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLostError, deleteEventStore, StorageFullError, type EventStore } from '../../src/es/index.ts';
import { fullDiskSession, fullDiskSuite, onCommit, refusal } from './full-disk.ts';

/** fake-indexeddb's own abort, with the error a real engine gives (IDBTransaction has no way to choose it). */
const abortWith = (name: string) => (tx: IDBTransaction) => (tx as unknown as { _abort: (name: string) => void })._abort(name);

fullDiskSuite('Node, fake-indexeddb', { reports: 'fails the commit with UnknownError', failCommits: (db) => onCommit(db, abortWith('UnknownError')) });
fullDiskSuite('Node, fake-indexeddb', { reports: 'aborts the commit', failCommits: (db) => onCommit(db, abortWith('AbortError')) });

describe('a full disk that also closes the connection (Chromium, on a write it could not finish)', () => {
  const opened: EventStore[] = [];
  const undo: (() => void)[] = [];
  afterEach(async () => {
    undo.splice(0).forEach((restore) => restore());
    for (const store of opened.splice(0)) {
      store.close();
      await deleteEventStore(store.name);
    }
  });

  /** Commits fail with UnknownError and close the connection; the next opens do `open`. */
  function diskGone(store: EventStore, open: () => IDBOpenDBRequest) {
    const connection = store.db.backendDB();
    undo.push(
      onCommit(connection, (tx) => {
        abortWith('UnknownError')(tx);
        forceCloseDatabase(connection as never);
      }),
    );
    const factory = indexedDB as IDBFactory & { open: IDBFactory['open'] };
    undo.push(() => delete (factory as Partial<IDBFactory>).open);
    factory.open = open;
  }

  it('refuses as storage full when the reopen fails the same way', async () => {
    const { store, add, texts } = await fullDiskSession(opened);
    await add('kept');
    diskGone(store, () => {
      throw Object.assign(new Error('Internal error opening backing store for indexedDB.open.'), { name: 'UnknownError' });
    });
    const { error, ms } = await refusal(add('refused'));
    expect(error).toBeInstanceOf(StorageFullError);
    expect(ms).toBeLessThan(5_000);
    undo.splice(0).forEach((restore) => restore());
    expect(await texts()).toEqual(['kept']);
  });

  it('refuses within 5 s when the reopen never answers', async () => {
    const { store, add } = await fullDiskSession(opened);
    await add('kept');
    diskGone(store, () => ({ addEventListener: () => undefined }) as unknown as IDBOpenDBRequest);
    const { error, ms } = await refusal(add('refused'));
    expect(error).toBeInstanceOf(StorageFullError);
    expect(error).not.toBeInstanceOf(ConnectionLostError);
    expect(ms).toBeLessThan(5_000);
  }, 10_000);
});
