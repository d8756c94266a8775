// The log's bulk paths on plain IndexedDB: write events packed 100 per record or one record per
// event, and read the packed records back.
import { PAGE_SIZE, type EventPage, type StreamHead } from '../../../src/es/db.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { isDerived, type Projection } from '../../../src/es/projection.ts';
import { foldRows } from '../../../src/es/projector.ts';
import { done, openRaw, request } from './idb.ts';

/** The store commits every write 'strict' (CONTRACT §5): so do the baselines it is compared with. */
const STRICT: IDBTransactionOptions = { durability: 'strict' };

/** Contiguous runs of one stream, cut every PAGE_SIZE events: the records src/es writes in bulk. */
export function packPages(events: readonly EventEnvelope[]): EventPage[] {
  const pages: EventPage[] = [];
  let run: EventEnvelope[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = run[0]!;
    pages.push({ streamId: first.streamId, first: first.version, last: first.version + run.length - 1, types: [...new Set(run.map((e) => e.type))], events: run });
    run = [];
  };
  for (const event of events) {
    if (run.length === PAGE_SIZE || (run.length > 0 && run[0]!.streamId !== event.streamId)) flush();
    run.push(event);
  }
  flush();
  return pages;
}

/** One transaction, one record per PAGE_SIZE events, into the `pages` store of cartlogLayout. */
export async function writePacked(db: IDBDatabase, events: readonly EventEnvelope[]): Promise<void> {
  const tx = db.transaction('pages', 'readwrite', STRICT);
  const complete = done(tx);
  const pages = tx.objectStore('pages');
  for (const record of packPages(events)) pages.add(record);
  await complete;
}

// The rows are folded with the store's own fold (each row once per batch, as its bulk path does):
// the baseline for "the same work" must not fold slower than the store does; only storage differs.
export { foldRows };

/**
 * Everything appendBulk does to the database, in one transaction: read the streams' heads (only
 * those stored, as src/es/sparse-get.ts), fold each stream's rows (projections keyed by stream)
 * from those its head carries, then add the pages and put the heads with their rows — a cart
 * costs its page and its head (src/es/head-rows.ts). `folded`, when given, are the rows folded
 * already (to leave the fold out of a timing).
 */
export async function writePackedWithViews(db: IDBDatabase, events: readonly EventEnvelope[], projections: readonly Projection<any>[], folded?: Map<string, unknown>): Promise<void> {
  const tx = db.transaction(['pages', 'streams'], 'readwrite', STRICT);
  const complete = done(tx);
  const streams = tx.objectStore('streams');
  const lastVersions = new Map(events.map((e) => [e.streamId, e.version]));
  const ids = [...lastVersions.keys()];
  const heads = await sparseGets<StreamHead & { rows?: Record<string, unknown> }>(streams, ids);
  const known = new Map<string, unknown>();
  heads.forEach((head, i) => projections.forEach((p) => known.set(`${p.name}\u0000${ids[i]}`, head?.rows?.[p.name])));
  const rows = folded ?? foldRows(projections, events, known);
  for (const page of packPages(events)) tx.objectStore('pages').add(page);
  ids.forEach((streamId, i) => {
    const head = heads[i];
    const own = Object.fromEntries(projections.map((p) => [p.name, rows.get(`${p.name}\u0000${streamId}`)]));
    streams.put({ ...head, streamId, version: lastVersions.get(streamId)!, confirmedThrough: head?.confirmedThrough ?? 0, rows: own });
  });
  await complete;
}

/**
 * What appendBulk wrote before the rows moved into the heads (database version 2): the read-model
 * rows as records of their own beside the heads — two more records per cart (the bulk note).
 */
export async function writePackedWithRowRecords(db: IDBDatabase, events: readonly EventEnvelope[], projections: readonly Projection<any>[], folded?: Map<string, unknown>): Promise<void> {
  const tx = db.transaction(['pages', 'streams', 'readModels'], 'readwrite', STRICT);
  const complete = done(tx);
  const [streams, readModels] = [tx.objectStore('streams'), tx.objectStore('readModels')];
  const lastVersions = new Map(events.map((e) => [e.streamId, e.version]));
  const touched = new Set<string>();
  // As the store: a derived row is made from its source's, not read.
  for (const event of events) for (const p of projections) if (!isDerived(p)) for (const key of p.keysOf(event)) touched.add(`${p.name}\u0000${key}`);
  const ids = [...touched];
  // As the store reads (src/es/sparse-get.ts): which of the keys exist, one key-only read of their
  // range per table, then a get for each that does.
  const [heads, stored] = await Promise.all([
    sparseGets<StreamHead>(streams, [...lastVersions.keys()]),
    sparseGets<{ value: unknown }>(readModels, ids.map((id) => id.split('\u0000') as [string, string])),
  ]);
  const rows = folded ?? foldRows(projections, events, new Map(ids.map((id, i) => [id, stored[i]?.value])));
  for (const page of packPages(events)) tx.objectStore('pages').add(page);
  [...lastVersions].forEach(([streamId, version], i) => streams.put({ ...heads[i], streamId, version, confirmedThrough: heads[i]?.confirmedThrough ?? 0 }));
  for (const [id, value] of rows) {
    const [projection, key] = id.split('\u0000');
    readModels.put({ projection, key, value });
  }
  await complete;
}

/** The records under `keys` (undefined where absent), reading only the keys their range holds. */
async function sparseGets<V>(store: IDBObjectStore, keys: readonly IDBValidKey[]): Promise<(V | undefined)[]> {
  if (keys.length === 0) return [];
  const sorted = [...keys].sort(indexedDB.cmp.bind(indexedDB));
  const range = IDBKeyRange.bound(sorted[0]!, sorted[sorted.length - 1]!);
  const present = new Set((await request(store.getAllKeys(range))).map((key) => JSON.stringify(key)));
  return Promise.all(keys.map((key) => (present.has(JSON.stringify(key)) ? request(store.get(key) as IDBRequest<V | undefined>) : undefined)));
}

/** One transaction, one record per event, into the `events` store of unpackedLayout. */
export async function writeUnpacked(db: IDBDatabase, events: readonly EventEnvelope[]): Promise<void> {
  const tx = db.transaction('events', 'readwrite', STRICT);
  const complete = done(tx);
  const store = tx.objectStore('events');
  for (const event of events) store.add(event);
  await complete;
}

/** Every packed record in `seq` order with getAll, `pagesPerRead` at a time, in one transaction; returns the event count. */
export async function readPacked(db: IDBDatabase, pagesPerRead: number): Promise<number> {
  const tx = db.transaction('pages', 'readonly');
  const complete = done(tx);
  const store = tx.objectStore('pages');
  let after = 0;
  let events = 0;
  for (;;) {
    const pages = (await request(store.getAll(IDBKeyRange.lowerBound(after, true), pagesPerRead))) as EventPage[];
    if (pages.length === 0) break;
    for (const page of pages) events += page.events.length;
    after = pages[pages.length - 1]!.seq!;
  }
  await complete;
  return events;
}
