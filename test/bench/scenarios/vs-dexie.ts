// command.addItem.vsNaiveDexie: AddItem until the cart's view with it is in hand, against what a
// developer would write by hand on Dexie instead — an events table and a cart-lines table written
// in one transaction, the cart shown through a liveQuery over its lines. Same page, same run,
// interleaved; both commit 'strict'. cartlog's figure is the one the page waits for: carts.execute
// resolves with the cart view its transaction wrote (the page shows that one at once; ui/session.ts).
import { Dexie, liveQuery, type EntityTable } from 'dexie';
import { catalog } from '../../../src/cart/catalog.ts';
import { openCarts } from '../../../src/cart/carts.ts';
import type { CartView } from '../../../src/cart/projections.ts';
import { cartViewProjection } from '../../../src/cart/projections.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, newCartId } from '../fixtures.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, percentile, round } from '../stats.ts';

const WARM_UP = 30;
const MEASURED = 300;
const SKUS = catalog.slice(0, 30);

interface NaiveEvent {
  seq?: number;
  id: string;
  cartId: string;
  type: string;
  data: unknown;
  at: string;
}
interface NaiveLine {
  cartId: string;
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
}
type NaiveDb = Dexie & { events: EntityTable<NaiveEvent, 'seq'>; lines: EntityTable<NaiveLine, 'sku'> };

function openNaive(name: string): NaiveDb {
  const db = new Dexie(name, { chromeTransactionDurability: 'strict' }) as NaiveDb;
  db.version(1).stores({ events: '++seq, cartId', lines: '[cartId+sku], cartId' });
  return db;
}

/** The hand-written AddItem: read the line, add the event and put the line, one transaction. */
async function naiveAddItem(db: NaiveDb, cartId: string, product: (typeof SKUS)[number]): Promise<void> {
  await db.transaction('rw', db.events, db.lines, async () => {
    const line = await db.lines.get([cartId, product.sku] as unknown as string);
    const quantity = (line?.quantity ?? 0) + 1;
    await Promise.all([
      db.events.add({ id: crypto.randomUUID(), cartId, type: 'ItemAdded', data: { sku: product.sku, quantity: 1 }, at: new Date().toISOString() }),
      db.lines.put({ cartId, sku: product.sku, name: product.name, unitPrice: product.unitPrice, quantity }),
    ]);
  });
}

export async function vsDexieScenario(): Promise<ScenarioOutput> {
  const name = dbName('vs-dexie');
  const naiveName = dbName('vs-dexie-naive');
  const carts = await openCarts({ name, deviceId: DEVICE_ID });
  const naive = openNaive(naiveName);
  await naive.open();
  const naiveCart = newCartId();
  // The view the hand-written page shows: its live query's latest answer.
  let shown: NaiveLine[] = [];
  let onShown: (() => void) | undefined;
  const subscription = liveQuery(() => naive.lines.where('cartId').equals(naiveCart).toArray()).subscribe((lines) => {
    shown = lines;
    onShown?.();
  });
  try {
    const cartId = await carts.openCart('Bench cart');
    const samples = { cartlog: [] as number[], naive: [] as number[] };
    const total = (lines: readonly NaiveLine[]) => lines.reduce((n, l) => n + l.quantity, 0);
    for (let i = 0; i < WARM_UP + MEASURED; i++) {
      const product = SKUS[i % SKUS.length]!;
      const order = i % 2 === 0 ? (['cartlog', 'naive'] as const) : (['naive', 'cartlog'] as const);
      for (const variant of order) {
        const start = performance.now();
        if (variant === 'cartlog') {
          const result = await carts.execute(cartId, { type: 'AddItem', data: { sku: product.sku, quantity: 1 } });
          const view = result.written(cartViewProjection.name) as CartView | undefined;
          if (view?.itemCount !== i + 1) throw new Error(`vs-dexie: cartlog's view counts ${view?.itemCount}, not ${i + 1}`);
        } else {
          const seen = new Promise<void>((resolve) => (onShown = () => total(shown) === i + 1 && resolve()));
          await naiveAddItem(naive, naiveCart, product);
          await seen;
          onShown = undefined;
        }
        const ms = performance.now() - start;
        if (i >= WARM_UP) samples[variant].push(ms);
      }
    }
    const p = (v: keyof typeof samples, q: number) => percentile(samples[v], q);
    const notes = (['cartlog', 'naive'] as const).map((v) => `command vsNaiveDexie ${v}: p50 ${round(p(v, 50))} ms, p95 ${round(p(v, 95))} ms (n=${samples[v].length}; AddItem → the view with it in hand)`);
    notes.forEach(log);
    return {
      results: [
        compare('command.addItem.vsNaiveDexie', 'ms', p('cartlog', 50), p('naive', 50)),
        compare('command.addItem.vsNaiveDexie.p95', 'ms', p('cartlog', 95), p('naive', 95)),
      ],
      notes,
    };
  } finally {
    subscription.unsubscribe();
    carts.close();
    naive.close();
    await deleteEventStore(name);
    await Dexie.delete(naiveName);
  }
}
