// Where bulk append time goes: appendBulk with parts of its work switched off, beside the same
// pages written through Dexie and raw IndexedDB, and raw writing everything appendBulk writes.
import { openCarts, validateCartData } from '../../../src/cart/carts.ts';
import { cartListProjection, cartViewProjection } from '../../../src/cart/projections.ts';
import { createDb, inTransaction } from '../../../src/es/db.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import type { Projection } from '../../../src/es/projection.ts';
import { deleteEventStore, openEventStore, type BulkOptions, type EventStoreOptions } from '../../../src/es/store.ts';
import { DEVICE_ID, batches } from '../fixtures.ts';
import { cartlogLayout, deleteRaw, openRaw } from '../raw/idb.ts';
import { foldRows, packPages, writePacked, writePackedWithViews } from '../raw/log.ts';
import type { ScenarioOutput } from '../result.ts';
import { BATCH, bulkEvents } from '../scenarios/history.ts';
import { dbName, log, timed } from '../stats.ts';
import { bulkCpuCosts } from './cpu.ts';

const EVENTS = 50_000;
export const inline = [cartViewProjection, cartListProjection];

interface Writer {
  /** Untimed work before the first append. */
  prepare?: (chunks: EventEnvelope[][]) => void;
  append: (chunk: EventEnvelope[]) => Promise<unknown>;
  close: () => void;
  remove: () => Promise<void>;
}

async function storeWriter(name: string, options: Omit<EventStoreOptions, 'name'>, bulk: BulkOptions = {}): Promise<Writer> {
  const store = await openEventStore({ name, ...options });
  return { append: (chunk) => store.appendBulk(chunk, bulk), close: store.close, remove: () => deleteEventStore(name) };
}

/** Every write appendBulk makes, on raw IndexedDB; the rows folded in the timing or beforehand. */
async function rawAllWrites(name: string, foldInTiming: boolean, projections: readonly Projection<any>[] = inline): Promise<Writer> {
  const db = await openRaw(name, cartlogLayout);
  const folded = new Map<EventEnvelope[], Map<string, unknown>>();
  return {
    prepare: (chunks) => void (foldInTiming || chunks.forEach((c) => folded.set(c, foldRows(projections, c)))),
    append: (chunk) => writePackedWithViews(db, chunk, projections, folded.get(chunk)),
    close: () => db.close(),
    remove: () => deleteRaw(name),
  };
}

const writers: [string, (name: string) => Promise<Writer>][] = [
  ['appendBulk, inline projections + validator (no async projection)', (name) => storeWriter(name, { projections: inline, validateData: validateCartData })],
  ['appendBulk, inline projections, no data validator', (name) => storeWriter(name, { projections: inline })],
  // What the events' check costs on the critical path: the same batches marked already validated (as an import's are).
  ['appendBulk, inline projections, no check at all (validated: true)', (name) => storeWriter(name, { projections: inline, validateData: validateCartData }, { validated: true })],
  ['appendBulk, validator, no projections', (name) => storeWriter(name, { validateData: validateCartData })],
  ['appendBulk, no projections, no data validator', (name) => storeWriter(name, {})],
  [
    'Dexie pages.bulkAdd, one transaction a call',
    async (name) => {
      const db = createDb(name);
      await db.open();
      return { append: (chunk) => inTransaction(db, 'rw', ['pages'], (t) => t.pages.bulkAdd(packPages(chunk))), close: () => db.close(), remove: () => deleteEventStore(name) };
    },
  ],
  ['raw: same reads and writes as appendBulk (heads, rows, pages), fold in the timing', (name) => rawAllWrites(name, true)],
  ['raw: the same, rows folded beforehand', (name) => rawAllWrites(name, false)],
  // What a layout with one read-model row per cart (the list row kept inside the view's) would cost.
  ['raw: the same with one read-model row per cart (cartView only), fold in the timing', (name) => rawAllWrites(name, true, [cartViewProjection])],
  [
    'raw: pages only (the bench baseline)',
    async (name) => {
      const db = await openRaw(name, cartlogLayout);
      return { append: (chunk) => writePacked(db, chunk), close: () => db.close(), remove: () => deleteRaw(name) };
    },
  ],
];

const rate = (events: number, ms: number) => `${Math.round(events / (ms / 1000)).toLocaleString('en-US')} events/s`;

export async function diagnoseBulk(): Promise<ScenarioOutput> {
  const events = bulkEvents().slice(0, EVENTS);
  const chunks = batches(events, BATCH);
  const notes = [...bulkCpuCosts(chunks[0]!)];
  const opened = await Promise.all(writers.map(async ([label, open], i) => ({ label, writer: await open(dbName(`diag-bulk-${i}`)), ms: 0 })));
  try {
    for (const { writer } of opened) writer.prepare?.(chunks);
    // Interleaved batch by batch, in a rotating order: noise falls on all alike.
    for (const [i, chunk] of chunks.entries())
      for (let k = 0; k < opened.length; k++) {
        const entry = opened[(i + k) % opened.length]!;
        entry.ms += (await timed(() => entry.writer.append(chunk))).ms;
      }
    for (const { label, ms } of opened) notes.push(`bulk ${label}: ${rate(events.length, ms)}`);
  } finally {
    for (const { writer } of opened) {
      writer.close();
      await writer.remove();
    }
  }
  // The app's store last and alone: its async projection catches up between and after batches.
  const name = dbName('diag-bulk-carts');
  const carts = await openCarts({ name, deviceId: DEVICE_ID });
  try {
    let ms = 0;
    for (const chunk of chunks) ms += (await timed(() => carts.store.appendBulk(chunk))).ms;
    const catchUp = await timed(() => carts.store.catchUp());
    notes.push(`bulk carts.store.appendBulk (as the bench, popularity async): ${rate(events.length, ms)}; catch-up after: ${Math.round(catchUp.ms)} ms`);
  } finally {
    carts.close();
    await deleteEventStore(name);
  }
  notes.forEach(log);
  return { results: [], notes };
}
