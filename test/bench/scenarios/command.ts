// 1. Command latency: AddItem through carts.execute (the whole command path, inline projections
// included) against the same work written on raw IndexedDB, and against the floor.
import { catalog } from '../../../src/cart/catalog.ts';
import { openCarts } from '../../../src/cart/carts.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, newCartId } from '../fixtures.ts';
import { floorAppend, sameWorkAddItem, seedRawCart, viewOf } from '../raw/command.ts';
import { cartlogLayout, deleteRaw, openRaw, request } from '../raw/idb.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, percentile, round } from '../stats.ts';

const WARM_UP = 30;
const MEASURED = 300;
/** 30 lines: the first pass adds them (ItemAdded), later passes raise quantities (ItemQuantityChanged). */
const SKUS = catalog.slice(0, 30).map((p) => p.sku);

type Variant = 'store' | 'sameWork' | 'floor';

export async function commandScenario(): Promise<ScenarioOutput> {
  const name = dbName('command');
  const rawName = dbName('command-raw');
  const carts = await openCarts({ name, deviceId: DEVICE_ID });
  const raw = await openRaw(rawName, cartlogLayout);
  try {
    const cartId = await carts.openCart('Bench cart');
    const rawCart = newCartId();
    const floorStream = newCartId();
    await seedRawCart(raw, rawCart, 'Bench cart', DEVICE_ID);
    await seedRawCart(raw, floorStream, 'Floor', DEVICE_ID);

    const run: Record<Variant, (i: number) => Promise<unknown>> = {
      store: (i) => carts.execute(cartId, { type: 'AddItem', data: { sku: SKUS[i % SKUS.length]!, quantity: 1 } }),
      sameWork: (i) => sameWorkAddItem(raw, { streamId: rawCart, commandId: crypto.randomUUID(), sku: SKUS[i % SKUS.length]!, quantity: 1, deviceId: DEVICE_ID }),
      floor: (i) => floorAppend(raw, floorStream, i + 1, DEVICE_ID),
    };
    const variants = Object.keys(run) as Variant[];
    const samples: Record<Variant, number[]> = { store: [], sameWork: [], floor: [] };
    // Interleaved, in a rotating order, so the machine's noise falls on all three alike.
    for (let i = 0; i < WARM_UP + MEASURED; i++)
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(i + k) % variants.length]!;
        const start = performance.now();
        await run[variant](i);
        const ms = performance.now() - start;
        if (i >= WARM_UP) samples[variant].push(ms);
      }

    // Both did the same thing: the same quantities in the same cart view.
    const view = await carts.view(cartId);
    const rawView = viewOf(await request(raw.transaction('streams').objectStore('streams').get(rawCart)));
    const expected = WARM_UP + MEASURED;
    if (view?.itemCount !== expected || rawView?.itemCount !== expected || view.lines.length !== rawView.lines.length)
      throw new Error(`command: views differ (store ${view?.itemCount}, raw ${rawView?.itemCount}, expected ${expected})`);

    const p = (v: Variant, q: number) => percentile(samples[v], q);
    const notes = variants.map(
      (v) => `command ${v}: p50 ${round(p(v, 50))} ms, p95 ${round(p(v, 95))} ms, p99 ${round(p(v, 99))} ms (n=${samples[v].length})`,
    );
    notes.forEach(log);
    return {
      results: [
        compare('command.addItem.p50', 'ms', p('store', 50), p('sameWork', 50)),
        compare('command.addItem.p95', 'ms', p('store', 95), p('sameWork', 95)),
        compare('command.addItem.p50.vsFloor', 'ms', p('store', 50), p('floor', 50)),
      ],
      notes,
    };
  } finally {
    carts.close();
    raw.close();
    await deleteEventStore(name);
    await deleteRaw(rawName);
  }
}
