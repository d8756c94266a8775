// Reading many records by id when most are absent (src/es/sparse-get.ts): the values are those a
// get per id returns, and only the ids stored are read — a bulk append of new streams (an import,
// a new device's first sync) asks IndexedDB one key-only range instead of a request per stream.
import { afterEach, expect, it, vi } from 'vitest';
import { createDb, type CartlogDb } from '../../src/es/db.ts';
import { getMany } from '../../src/es/sparse-get.ts';

const opened: CartlogDb[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const db of opened.splice(0)) await db.delete();
});

async function database(): Promise<CartlogDb> {
  const db = createDb(`sparse-${crypto.randomUUID()}`);
  opened.push(db);
  await db.open();
  return db;
}

// Confirmed heads: a pending one is stored with its outbox mark (head-index.ts).
const head = (streamId: string, version: number) => ({ streamId, version, confirmedThrough: version });
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `cart-${String(from + i).padStart(4, '0')}`);

it('reads what a get per id would, in the order asked, and reads only the ids stored', async () => {
  const db = await database();
  // Stored ids inside the asked range and outside it; asked ids out of order.
  await db.streams.bulkPut([head('cart-0003', 3), head('cart-0010', 10), head('cart-0100', 100), head('other', 1)]);
  const asked = [...ids(20)].reverse();
  const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
  const values = await getMany(db.streams, asked);
  expect(values).toEqual(asked.map((id) => (id === 'cart-0003' ? head(id, 3) : id === 'cart-0010' ? head(id, 10) : undefined)));
  expect(gets).toHaveBeenCalledTimes(2);
});

it('reads a read model’s rows under their [projection, id] keys, not another projection’s', async () => {
  const db = await database();
  await db.readModels.bulkPut([
    { projection: 'cartView', key: 'cart-0005', value: { n: 5 } },
    { projection: 'cartList', key: 'cart-0006', value: { n: 6 } },
    { projection: 'cartView', key: 'cart-0050', value: { n: 50 } },
  ]);
  const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
  const values = await getMany(db.readModels, ids(10), 'cartView');
  expect(values.map((row) => row?.value)).toEqual(ids(10).map((id) => (id === 'cart-0005' ? { n: 5 } : undefined)));
  expect(gets).toHaveBeenCalledTimes(1);
  // A new device's first batch: nothing stored, nothing but the range read.
  gets.mockClear();
  expect(await getMany(db.readModels, ids(50, 1000), 'cartView')).toEqual(Array(50).fill(undefined));
  expect(gets).not.toHaveBeenCalled();
});

it('reads a few ids with a get each, as before', async () => {
  const db = await database();
  await db.streams.put(head('cart-0001', 1));
  expect(await getMany(db.streams, ['cart-0001', 'cart-0002'])).toEqual([head('cart-0001', 1), undefined]);
  expect(await getMany(db.streams, [])).toEqual([]);
});

it('a bulk append of streams the store has not seen reads no head one by one', async () => {
  const { openEventStore, deleteEventStore } = await import('../../src/es/store.ts');
  const { envelopes, noteCount } = await import('./fixtures.ts');
  const name = `sparse-store-${crypto.randomUUID()}`;
  const store = await openEventStore({ name, projections: [{ ...noteCount, byStream: true }] });
  try {
    const streams = ids(30);
    await store.appendBulk(streams.slice(0, 10).flatMap((id) => envelopes(id, 3)));
    const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
    // Ten streams it holds (their heads are read, with the rows they carry), twenty new ones (not
    // read), and the record of how far the heads' marks are checked (src/es/head-check.ts).
    await store.appendBulk(streams.flatMap((id, i) => envelopes(id, 2, i < 10 ? 4 : 1)));
    expect(gets).toHaveBeenCalledTimes(11);
    expect(await store.getRow('noteCount', 'cart-0005')).toMatchObject({ count: 5, lastVersion: 5 });
    expect(await store.getRow('noteCount', 'cart-0025')).toMatchObject({ count: 2, lastVersion: 2 });
  } finally {
    store.close();
    await deleteEventStore(name);
  }
});
