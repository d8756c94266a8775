// A transaction that aborts settles its caller, even when a request of its work never answers
// (src/es/db.ts inTransaction): Chromium aborting a commit for a full disk once left a Dexie put
// pending for good, and the command waited forever — neither counted nor refused.
import { afterEach, expect, it } from 'vitest';
import { createDb, inTransaction, type CartlogDb } from '../../src/es/db.ts';

const opened: CartlogDb[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

it('rejects with the abort when the work is still waiting on a request', async () => {
  const db = createDb(`aborted-${crypto.randomUUID()}`);
  opened.push(db);
  await db.open();
  const settled = inTransaction(db, 'rw', ['streams'], async (t) => {
    await t.streams.put({ streamId: 's', version: 1, confirmedThrough: 0 });
    const idb = (t.streams as unknown as { _tx?: { idbtrans: IDBTransaction } })._tx?.idbtrans;
    // The engine aborts the transaction; the work waits on an answer that never comes.
    idb!.abort();
    await new Promise(() => undefined);
  });
  await expect(settled).rejects.toMatchObject({ name: 'AbortError' });
  expect(await db.streams.get('s')).toBeUndefined();
});
