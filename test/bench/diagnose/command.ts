// Where a command's time goes: the command path beside the store's plain append, the same work
// on Dexie and on raw IndexedDB, and the floor; then one command's round trips, step by step.
import { v7 as uuidv7 } from 'uuid';
import { catalog, findProduct } from '../../../src/cart/catalog.ts';
import { openCarts } from '../../../src/cart/carts.ts';
import { Dexie } from 'dexie';
import { LAYOUT, createDb, type CartlogDb, type Tables } from '../../../src/es/db.ts';
import type { NewEvent } from '../../../src/es/envelope.ts';
import { DEVICE_ID, newCartId } from '../fixtures.ts';
import { addItemRows, addItemWrites, floorAppend, sameWorkAddItem, seedRawCart, viewOf, type RawAddItem, type Shape } from '../raw/command.ts';
import { cartlogLayout, deleteRaw, openRaw } from '../raw/idb.ts';
import type { ScenarioOutput } from '../result.ts';
import { dbName, log, percentile } from '../stats.ts';
import { commandCpuCosts } from './cpu.ts';
import { medianTimeline, traceIndexedDb } from './trace.ts';

const WARM_UP = 20;
const MEASURED = 200;
const TRACED = 40;
const SKUS = catalog.slice(0, 30).map((p) => p.sku);

type WriteTables = Pick<Tables, 'pages' | 'streams' | 'commands'>;

/** The raw same-work written on Dexie tables bound to one transaction, as src/es writes. */
async function sameWorkOn(t: WriteTables, c: RawAddItem, shape: Shape = {}, commit?: () => void): Promise<void> {
  const [handled, head] = await Promise.all([t.commands.get(c.commandId), t.streams.get(c.streamId)]);
  const view = viewOf(head);
  if (handled || !head || !view) throw new Error('dexie same-work: unexpected command record, or missing head or view');
  const w = addItemWrites(head, view, c);
  const writes: Promise<unknown>[] = [t.pages.add(w.page), t.commands.put(w.command), t.streams.put({ ...w.head, rows: addItemRows(view, w) })];
  commit?.();
  await Promise.all(writes);
}

const WRITE_TABLES = ['pages', 'streams', 'commands'] as const;

function sameWorkOnDexie(db: CartlogDb, c: RawAddItem, shape: Shape = {}): Promise<void> {
  return db.transaction('rw', [...WRITE_TABLES], (tx) => {
    const tables = { pages: tx.table('pages'), streams: tx.table('streams'), commands: tx.table('commands') } as WriteTables;
    return sameWorkOn(tables, c, shape, shape.commit ? () => tx.idbtrans.commit() : undefined);
  });
}

export async function diagnoseCommand(): Promise<ScenarioOutput> {
  const trace = traceIndexedDb();
  const names = ['store', 'dexie', 'dexieQuiet', 'raw'].map((what) => dbName(`diag-command-${what}`));
  const [storeName, dexieName, quietName, rawName] = names as [string, string, string, string];
  const carts = await openCarts({ name: storeName, deviceId: DEVICE_ID });
  // Dexie as it comes, keeping live queries' bookkeeping (cartlog's createDb turns it off).
  const dexie = new Dexie(dexieName, { chromeTransactionDurability: 'strict' }) as CartlogDb;
  dexie.version(1).stores(LAYOUT);
  await dexie.open();
  const quiet = createDb(quietName);
  await quiet.open();
  const raw = await openRaw(rawName, cartlogLayout);
  const notes: string[] = [];
  try {
    const cartId = await carts.openCart('Command cart');
    const appendCart = await carts.openCart('Append cart');
    /** Each variant its own cart, in the database it runs on. */
    const seed = async (variant: string, name: string) => {
      const streamId = newCartId();
      const db = await openRaw(name);
      await seedRawCart(db, streamId, variant, DEVICE_ID);
      db.close();
      return streamId;
    };

    // The append variant: the event AddItem would emit, appended without decide or journal.
    const quantities = new Map<string, number>();
    let appendVersion = 1;
    const nextEvent = (sku: string): NewEvent => {
      const had = quantities.get(sku);
      quantities.set(sku, (had ?? 0) + 1);
      const product = findProduct(sku)!;
      const meta = { at: new Date().toISOString(), deviceId: DEVICE_ID, commandId: uuidv7() };
      return had
        ? { id: uuidv7(), type: 'ItemQuantityChanged', schemaVersion: 1, data: { sku, quantity: had + 1 }, meta }
        : { id: uuidv7(), type: 'ItemAdded', schemaVersion: 1, data: { sku, name: product.name, unitPrice: product.unitPrice, quantity: 1 }, meta };
    };
    const addItem = (streamId: string, i: number): RawAddItem => ({ streamId, commandId: crypto.randomUUID(), sku: SKUS[i % SKUS.length]!, quantity: 1, deviceId: DEVICE_ID });
    const onDexie = async (variant: string, db: CartlogDb, shape: Shape = {}) => {
      const streamId = await seed(variant, db.name);
      return (i: number) => sameWorkOnDexie(db, addItem(streamId, i), shape);
    };
    const onRaw = async (variant: string, shape: Shape = {}) => {
      const streamId = await seed(variant, rawName);
      return (i: number) => sameWorkAddItem(raw, addItem(streamId, i), shape);
    };
    const transactCart = await seed('transact', storeName);
    const floorStream = await seed('floor', rawName);
    const run: Record<string, (i: number) => Promise<unknown>> = {
      'carts.execute': (i) => carts.execute(cartId, { type: 'AddItem', data: { sku: SKUS[i % SKUS.length]!, quantity: 1 } }),
      'store.appendToStream': async (i) => {
        const result = await carts.store.appendToStream(appendCart, [nextEvent(SKUS[i % SKUS.length]!)], { expectedVersion: appendVersion });
        appendVersion = result.version;
      },
      'store.transact(same work on its tables)': (i) => carts.store.transact((tx) => sameWorkOn(tx.tables, addItem(transactCart, i))),
      'same work on Dexie with liveQuery bookkeeping': await onDexie('dexie', dexie),
      'same work on Dexie with liveQuery bookkeeping, commit() after the last write': await onDexie('dexie commit', dexie, { commit: true }),
      'same work on Dexie as createDb opens it (no liveQuery bookkeeping)': await onDexie('quiet', quiet),
      'same work on Dexie as createDb opens it, commit()': await onDexie('quiet commit', quiet, { commit: true }),
      'same work on raw IndexedDB (the bench baseline)': await onRaw('raw'),
      'same work on raw IndexedDB, commit()': await onRaw('raw commit', { commit: true }),
      'floor (raw)': (i) => floorAppend(raw, floorStream, i + 1, DEVICE_ID),
    };
    const variants = Object.keys(run);
    const samples = new Map<string, number[]>(variants.map((v) => [v, []]));
    let i = 0;
    for (; i < WARM_UP + MEASURED; i++)
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(i + k) % variants.length]!;
        const start = performance.now();
        await run[variant]!(i);
        if (i >= WARM_UP) samples.get(variant)!.push(performance.now() - start);
      }
    for (const [variant, ms] of samples)
      notes.push(`latency ${variant}: p50 ${percentile(ms, 50).toFixed(3)} ms, p95 ${percentile(ms, 95).toFixed(3)} ms`);

    // The round trips, traced in the same interleaved order as the timings above.
    const traced = ['carts.execute', 'same work on Dexie as createDb opens it (no liveQuery bookkeeping)', 'same work on raw IndexedDB (the bench baseline)'];
    const runs = new Map<string, Parameters<typeof medianTimeline>[0][number][]>(traced.map((v) => [v, []]));
    for (let n = 0; n < TRACED; n++, i++)
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(i + k) % variants.length]!;
        const tracing = runs.get(variant);
        if (tracing) trace.begin();
        await run[variant]!(i);
        if (!tracing) continue;
        trace.mark('resolved');
        tracing.push(trace.take());
      }
    for (const [variant, marks] of runs)
      notes.push(`timeline of ${variant} (median offset from the call):`, ...medianTimeline(marks).map((line) => `  ${line}`));
    notes.push(...commandCpuCosts());
    notes.forEach(log);
    return { results: [], notes };
  } finally {
    trace.stop();
    for (const db of [carts, dexie, quiet, raw]) db.close();
    for (const name of names) await deleteRaw(name);
  }
}

/** Only the command path, for a CPU profile (npm run bench -- --only=diagnose-execute --profile). */
export async function diagnoseExecute(): Promise<ScenarioOutput> {
  const name = dbName('diag-execute');
  const carts = await openCarts({ name, deviceId: DEVICE_ID });
  try {
    const cartId = await carts.openCart('Profiled cart');
    return await repeat('carts.execute', (i) => carts.execute(cartId, { type: 'AddItem', data: { sku: SKUS[i % SKUS.length]!, quantity: 1 } }));
  } finally {
    carts.close();
    await deleteRaw(name);
  }
}

/** Only the raw same-work, to hold its profile beside the command path's. */
export async function diagnoseSameWork(): Promise<ScenarioOutput> {
  const name = dbName('diag-same-work');
  const raw = await openRaw(name, cartlogLayout);
  try {
    const streamId = newCartId();
    await seedRawCart(raw, streamId, 'Profiled cart', DEVICE_ID);
    return await repeat('raw same work', (i) => sameWorkAddItem(raw, { streamId, commandId: crypto.randomUUID(), sku: SKUS[i % SKUS.length]!, quantity: 1, deviceId: DEVICE_ID }));
  } finally {
    raw.close();
    await deleteRaw(name);
  }
}

async function repeat(what: string, work: (i: number) => Promise<unknown>): Promise<ScenarioOutput> {
  const start = performance.now();
  for (let i = 0; i < WARM_UP + MEASURED; i++) await work(i);
  const notes = [`${what}: ${WARM_UP + MEASURED} AddItem in ${Math.round(performance.now() - start)} ms`];
  notes.forEach(log);
  return { results: [], notes };
}
