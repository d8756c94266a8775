// A full disk, as a real one arrives (src/es/guard.ts): not QuotaExceededError but a commit the
// engine fails with UnknownError or AbortError. The command is refused as "storage is full" within
// 5 s — not reopened and retried without end, not "something went wrong" — nothing of it is kept,
// and the page goes on reading; once there is room again, commands count again.
// Run in Node (fake-indexeddb) and in real Chromium, each with the failure its engine can fake.
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandHandler, deleteEventStore, openEventStore, StorageFullError, type ConnectionLostError, type EventStore } from '../../src/es/index.ts';
import { noteCount, noteDecider, uniqueName } from './fixtures.ts';

export interface FullDisk {
  /** What the engine reports, in words for the test's name. */
  reports: string;
  /** Makes every commit of a readwrite transaction on `db` fail as on a full disk; returns the undo. */
  failCommits: (db: IDBDatabase) => () => void;
}

/** Replaces IDBTransaction.prototype.commit while the disk is full; returns the undo. */
export function onCommit(db: IDBDatabase, fail: (tx: IDBTransaction) => void): () => void {
  const proto = IDBTransaction.prototype as IDBTransaction & { commit: () => void };
  const commit = proto.commit;
  proto.commit = function (this: IDBTransaction) {
    if (this.mode === 'readwrite' && this.db.name === db.name) fail(this);
    else commit.call(this);
  };
  return () => void (proto.commit = commit);
}

export async function fullDiskSession(opened: EventStore[]) {
  const store = await openEventStore({ name: uniqueName('full-disk'), projections: [noteCount] });
  opened.push(store);
  const lost: ConnectionLostError[] = [];
  store.onConnectionLost((error) => lost.push(error));
  const handle = createCommandHandler({ store, decider: { ...noteDecider, decide: (c: { text: string }) => noteDecider.decide(c, 0) }, deviceId: '0192f3c4-0000-7000-8000-0000000000cc', schemaVersionOf: () => 2 });
  const add = (text: string) => handle('notes', { text }, { commandId: crypto.randomUUID() });
  const texts = async () => (await store.readStream('notes')).map((e) => (e.data as { text: string }).text);
  return { store, add, texts, lost };
}

/** Rejects with what `promise` rejected with, and how long that took. */
export async function refusal(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('it was not refused');
}

export function fullDiskSuite(environment: string, disk: FullDisk): void {
  describe(`a full disk (${environment})`, () => {
    const opened: EventStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) {
        store.close();
        await deleteEventStore(store.name);
      }
    });

    it(`refuses a command as storage full when the engine ${disk.reports}, keeps nothing of it, and goes on reading`, async () => {
      const { store, add, texts, lost } = await fullDiskSession(opened);
      await add('kept');
      const undo = disk.failCommits(store.db.backendDB());
      const { error, ms } = await refusal(add('refused'));
      undo();
      expect(error).toBeInstanceOf(StorageFullError);
      expect((error as Error).message).toMatch(/no room left to store this change/);
      expect(ms).toBeLessThan(5_000);
      expect(lost).toEqual([]);
      expect(await texts()).toEqual(['kept']);
      expect(await store.getRow('noteCount', 'notes')).toMatchObject({ count: 1 });
      await add('room again');
      expect(await texts()).toEqual(['kept', 'room again']);
    });
  });
}
