// 1b. What 'strict' durability costs a command (CONTRACT §5: an acknowledged command is on disk).
// AddItem through the store's command path with durability 'strict' (the app's) and 'relaxed'
// (Chromium's default), each beside raw IndexedDB doing the same work with the same durability.
import { catalog } from '../../../src/cart/catalog.ts';
import { validateCartData } from '../../../src/cart/carts.ts';
import { cartDecider } from '../../../src/cart/decider.ts';
import { CURRENT_SCHEMA_VERSION, type CartEventType } from '../../../src/cart/events.ts';
import { cartListProjection, cartViewProjection } from '../../../src/cart/projections.ts';
import { createCommandHandler } from '../../../src/es/command.ts';
import type { Durability } from '../../../src/es/db.ts';
import { deleteEventStore, openEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, newCartId } from '../fixtures.ts';
import { sameWorkAddItem, seedRawCart } from '../raw/command.ts';
import { cartlogLayout, deleteRaw, openRaw } from '../raw/idb.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, percentile, round } from '../stats.ts';

const WARM_UP = 30;
const MEASURED = 300;
const SKUS = catalog.slice(0, 30).map((p) => p.sku);
const MODES: Durability[] = ['strict', 'relaxed'];

/** The cart's command path on a store opened with this durability (openCarts always opens 'strict'). */
async function openStore(durability: Durability) {
  const name = dbName(`durability-${durability}`);
  const store = await openEventStore({ name, projections: [cartViewProjection, cartListProjection], validateData: validateCartData, durability });
  const handle = createCommandHandler({ store, decider: cartDecider, deviceId: DEVICE_ID, schemaVersionOf: (type) => CURRENT_SCHEMA_VERSION[type as CartEventType] });
  const cartId = newCartId();
  await handle(cartId, { type: 'OpenCart', data: { cartId, name: 'Bench cart' } }, { commandId: crypto.randomUUID() });
  return { store, add: (sku: string) => handle(cartId, { type: 'AddItem', data: { sku, quantity: 1 } }, { commandId: crypto.randomUUID() }) };
}

export async function durabilityScenario(): Promise<ScenarioOutput> {
  const rawName = dbName('durability-raw');
  const raw = await openRaw(rawName, cartlogLayout);
  const stores = await Promise.all(MODES.map(openStore));
  try {
    const rawCarts = MODES.map(() => newCartId());
    for (const cartId of rawCarts) await seedRawCart(raw, cartId, 'Bench cart', DEVICE_ID);
    const variants = MODES.flatMap((durability, m) => [
      { name: `store ${durability}`, run: (i: number) => stores[m]!.add(SKUS[i % SKUS.length]!) },
      {
        name: `raw ${durability}`,
        run: (i: number) =>
          sameWorkAddItem(raw, { streamId: rawCarts[m]!, commandId: crypto.randomUUID(), sku: SKUS[i % SKUS.length]!, quantity: 1, deviceId: DEVICE_ID }, { durability }),
      },
    ]);
    const samples = new Map(variants.map((v) => [v.name, [] as number[]]));
    // Interleaved in a rotating order, so the machine's noise (and the disk's) falls on all alike.
    for (let i = 0; i < WARM_UP + MEASURED; i++)
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(i + k) % variants.length]!;
        const start = performance.now();
        await variant.run(i);
        const ms = performance.now() - start;
        if (i >= WARM_UP) samples.get(variant.name)!.push(ms);
      }

    const p = (name: string, q: number) => percentile(samples.get(name)!, q);
    const notes = variants.map((v) => `AddItem ${v.name}: p50 ${round(p(v.name, 50))} ms, p95 ${round(p(v.name, 95))} ms (n=${samples.get(v.name)!.length})`);
    notes.forEach(log);
    return {
      results: [
        compare('command.addItem.strict.p50', 'ms', p('store strict', 50), p('raw strict', 50)),
        compare('command.addItem.relaxed.p50', 'ms', p('store relaxed', 50), p('raw relaxed', 50)),
        compare('command.addItem.strictVsRelaxed.p50', 'ms', p('store strict', 50), p('store relaxed', 50)),
        compare('command.addItem.strictVsRelaxed.p95', 'ms', p('store strict', 95), p('store relaxed', 95)),
      ],
      notes,
    };
  } finally {
    for (const { store } of stores) {
      store.close();
      await deleteEventStore(store.name);
    }
    raw.close();
    await deleteRaw(rawName);
  }
}
