// 2. Bulk append: store.appendBulk of 100 000 full cart envelopes in sync/import-sized batches,
// against raw IndexedDB writing the same events packed (same records, same indexes) and unpacked.
import { openCarts } from '../../../src/cart/carts.ts';
import { cartListProjection, cartViewProjection } from '../../../src/cart/projections.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, averageJsonBytes, batches } from '../fixtures.ts';
import { deleteRaw, cartlogLayout, openRaw, unpackedLayout } from '../raw/idb.ts';
import { writePacked, writePackedWithRowRecords, writePackedWithViews, writeUnpacked } from '../raw/log.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, round, timed } from '../stats.ts';
import { bulkEvents, BATCH } from './history.ts';

export async function bulkScenario(): Promise<ScenarioOutput> {
  const events = bulkEvents();
  const chunks = batches(events, BATCH);
  const names = { store: dbName('bulk'), packed: dbName('bulk-packed'), views: dbName('bulk-views'), records: dbName('bulk-row-records'), unpacked: dbName('bulk-unpacked') };
  const notes = [`bulk: ${events.length} events, ~${Math.round(averageJsonBytes(events))} B each as JSON, ${chunks.length} calls of ${BATCH}`];
  const carts = await openCarts({ name: names.store, deviceId: DEVICE_ID });
  const packed = await openRaw(names.packed, cartlogLayout);
  const views = await openRaw(names.views, cartlogLayout);
  const records = await openRaw(names.records, cartlogLayout);
  const unpacked = await openRaw(names.unpacked, unpackedLayout);
  try {
    // One variant after the other: the store's async projection (popularity) catches up 100 ms
    // after its writes settle, and must not land in a raw variant's timing.
    let storeMs = 0;
    for (const chunk of chunks) {
      const { ms, value } = await timed(() => carts.store.appendBulk(chunk));
      if (value.appended !== chunk.length) throw new Error(`bulk: appended ${value.appended} of ${chunk.length}`);
      storeMs += ms;
    }
    const catchUp = await timed(() => carts.store.catchUp());
    notes.push(`bulk: the async popularity projection caught up ${round(catchUp.ms, 0)} ms after the last append (not counted)`);

    let packedMs = 0;
    for (const chunk of chunks) packedMs += (await timed(() => writePacked(packed, chunk))).ms;
    // What appendBulk writes besides the pages: stream heads and the inline read models (folded
    // by the same projection code), with the reads it makes first.
    let viewsMs = 0;
    for (const chunk of chunks) viewsMs += (await timed(() => writePackedWithViews(views, chunk, [cartViewProjection, cartListProjection]))).ms;
    // The layout before the rows moved into the heads: two records more per cart.
    let recordsMs = 0;
    for (const chunk of chunks) recordsMs += (await timed(() => writePackedWithRowRecords(records, chunk, [cartViewProjection, cartListProjection]))).ms;
    let unpackedMs = 0;
    for (const chunk of chunks) unpackedMs += (await timed(() => writeUnpacked(unpacked, chunk))).ms;

    const rate = (ms: number) => events.length / (ms / 1000);
    notes.push(
      `bulk: store ${round(storeMs, 0)} ms, raw packed ${round(packedMs, 0)} ms, raw packed with heads carrying the read models ${round(viewsMs, 0)} ms, ` +
        `raw packed with the read models as records of their own (database version 2) ${round(recordsMs, 0)} ms (${round(packedMs / recordsMs, 2)}× raw packed), raw unpacked ${round(unpackedMs, 0)} ms ` +
        `(raw packed is ${round(rate(packedMs) / rate(unpackedMs), 1)}× unpacked)`,
    );
    notes.forEach(log);
    return {
      results: [
        compare('bulk.append', 'events/s', rate(storeMs), rate(packedMs)),
        compare('bulk.append.vsSameWrites', 'events/s', rate(storeMs), rate(viewsMs)),
        compare('bulk.append.vsUnpacked', 'events/s', rate(storeMs), rate(unpackedMs)),
      ],
      notes,
    };
  } finally {
    carts.close();
    packed.close();
    views.close();
    records.close();
    unpacked.close();
    await deleteEventStore(names.store);
    await deleteRaw(names.packed);
    await deleteRaw(names.views);
    await deleteRaw(names.records);
    await deleteRaw(names.unpacked);
  }
}
