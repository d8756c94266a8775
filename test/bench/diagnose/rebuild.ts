// Where rebuild time goes: reading the pages (raw, Dexie), folding them in memory (as the
// projections do, and state only), overlapping the two, and writing the rows back.
import { validateCartData } from '../../../src/cart/carts.ts';
import { cartDecider, type CartState } from '../../../src/cart/decider.ts';
import type { CartEvent } from '../../../src/cart/events.ts';
import { cartViewProjection } from '../../../src/cart/projections.ts';
import { inTransaction, type EventPage } from '../../../src/es/db.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { rowsOf } from '../../../src/es/projector.ts';
import { deleteEventStore, openEventStore } from '../../../src/es/store.ts';
import { batches } from '../fixtures.ts';
import { done, openRaw } from '../raw/idb.ts';
import { foldRows, readPacked } from '../raw/log.ts';
import type { ScenarioOutput } from '../result.ts';
import { BATCH, bulkEvents } from '../scenarios/history.ts';
import { dbName, log, timed } from '../stats.ts';
import { inline } from './bulk.ts';

const PAGES_PER_READ = 200;

/** The per-event part a projection that renders its row once per key would keep. */
function foldStates(events: readonly EventEnvelope[]): Map<string, CartState> {
  const states = new Map<string, CartState>();
  for (const e of events) states.set(e.streamId, cartDecider.evolve(states.get(e.streamId) ?? cartDecider.initialState(), e as unknown as CartEvent));
  return states;
}

export async function diagnoseRebuild(): Promise<ScenarioOutput> {
  const events = bulkEvents();
  const name = dbName('diag-rebuild');
  const store = await openEventStore({ name, projections: inline, validateData: validateCartData });
  const raw = await openRaw(name);
  const notes: string[] = [];
  const rate = (ms: number) => `${Math.round(events.length / (ms / 1000)).toLocaleString('en-US')} events/s (${Math.round(ms)} ms)`;
  /** Reads every page through Dexie as rebuild does; with `overlap`, the next read is in flight while a batch folds. */
  const readAndFold = (fold: (events: EventEnvelope[]) => void, overlap: boolean) =>
    inTransaction(store.db, 'r', ['pages'], async (t) => {
      const read = (after: number): Promise<EventPage[]> => t.pages.where('seq').above(after).limit(PAGES_PER_READ).toArray();
      let next = read(0);
      for (;;) {
        const pages = await next;
        if (pages.length === 0) return;
        const after = pages[pages.length - 1]!.seq!;
        if (overlap) next = read(after);
        fold(pages.flatMap((p) => p.events));
        if (!overlap) next = read(after);
      }
    });
  try {
    for (const chunk of batches(events, BATCH)) await store.appendBulk(chunk);
    const rebuilds = [await timed(() => store.rebuildProjections()), await timed(() => store.rebuildProjections())];
    const rawRead = await timed(() => readPacked(raw, PAGES_PER_READ));
    const dexieRead = await timed(() => readAndFold(() => {}, false));
    let rows = new Map<string, unknown>();
    const fold = await timed(async () => (rows = foldRows(inline, events)));
    const foldView = await timed(async () => foldRows([cartViewProjection], events));
    const foldState = await timed(async () => foldStates(events));
    const sequential = await timed(() => readAndFold((batch) => foldRows(inline, batch), false));
    const overlapped = await timed(() => readAndFold((batch) => foldRows(inline, batch), true));
    const deletion = await timed(() => inTransaction(store.db, 'rw', ['readModels'], async (t) => void (await Promise.all(inline.map((p) => rowsOf(t, p.name).delete())))));
    const values = [...rows].map(([id, value]) => ({ projection: id.split('\u0000')[0]!, key: id.split('\u0000')[1]!, value }));
    const puts = await timed(() => inTransaction(store.db, 'rw', ['readModels'], (t) => t.readModels.bulkPut(values)));
    const rawPuts = await timed(async () => {
      const tx = raw.transaction('readModels', 'readwrite');
      const complete = done(tx);
      for (const row of values) tx.objectStore('readModels').put(row);
      await complete;
    });
    const bytes = values.reduce((sum, row) => sum + JSON.stringify(row).length, 0);
    notes.push(
      `rebuild store.rebuildProjections: ${rebuilds.map((r) => rate(r.ms)).join(', ')}`,
      `rebuild raw getAll read: ${rate(rawRead.ms)}`,
      `rebuild Dexie read (where seq above, limit ${PAGES_PER_READ}): ${rate(dexieRead.ms)}`,
      `rebuild in-memory fold, cartView + cartList rows: ${rate(fold.ms)}; cartView alone ${Math.round(foldView.ms)} ms; cart state only (evolveCart) ${Math.round(foldState.ms)} ms`,
      `rebuild Dexie read + fold in turn: ${rate(sequential.ms)}; with the next read in flight while folding: ${rate(overlapped.ms)}`,
      `rebuild write-back on Dexie: delete the rows ${Math.round(deletion.ms)} ms, bulkPut ${values.length} rows (${(bytes / 1e6).toFixed(1)} MB as JSON) ${Math.round(puts.ms)} ms; the same puts on raw IndexedDB ${Math.round(rawPuts.ms)} ms`,
    );
    notes.forEach(log);
    return { results: [], notes };
  } finally {
    raw.close();
    store.close();
    await deleteEventStore(name);
  }
}
