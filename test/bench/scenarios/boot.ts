// 3. Boot: open the store and get the current cart's view, with 1 k, 10 k and 100 k events of
// history. Boot reads the read model, never the log, so it should not grow with the history.
import { openCarts } from '../../../src/cart/carts.ts';
import type { CartView } from '../../../src/cart/projections.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID } from '../fixtures.ts';
import { openAndGetHeadRow } from '../raw/idb.ts';
import { compare, type BenchResult, type ScenarioOutput } from '../result.ts';
import { dbName, log, median, pause, round, timed } from '../stats.ts';
import { seedHistory } from './history.ts';

const SIZES = [
  { label: '1k', events: 1_000 },
  { label: '10k', events: 10_000 },
  { label: '100k', events: 100_000 },
];
const ROUNDS = 9;

interface History {
  label: string;
  name: string;
  cartId: string;
  /** The current cart's version: a tenth of the history. */
  version: number;
  store: number[];
  raw: number[];
}

/** A tenth of the history is the current cart's; the rest other carts of 100 events. */
async function seed(label: string, events: number): Promise<History> {
  const name = dbName(`boot-${label}`);
  const { cartId, version } = await seedHistory(name, events, events / 10);
  return { label, name, cartId, version, store: [], raw: [] };
}

/** A fresh store object: open the database, prepare projections, read one row. */
async function boot(h: History): Promise<number> {
  const { ms, value } = await timed(async () => {
    const carts = await openCarts({ name: h.name, deviceId: DEVICE_ID });
    return { carts, view: await carts.view(h.cartId) };
  });
  value.carts.close();
  if (value.view?.version !== h.version) throw new Error(`boot ${h.label}: view at version ${value.view?.version}, not ${h.version}`);
  return ms;
}

async function rawBoot(h: History): Promise<number> {
  const { ms, value } = await timed(() => openAndGetHeadRow(h.name, h.cartId, 'cartView'));
  if ((value as CartView | undefined)?.version !== h.version) throw new Error(`boot ${h.label}: raw get failed`);
  return ms;
}

export async function bootScenario(): Promise<ScenarioOutput> {
  const histories: History[] = [];
  try {
    for (const size of SIZES) histories.push(await seed(size.label, size.events));
    await pause(500);
    // Round by round across the sizes in a rotating order (round -1 warms up), so a slow
    // moment of the machine does not land on one size.
    for (let r = -1; r < ROUNDS; r++)
      for (let k = 0; k < histories.length; k++) {
        const h = histories[(r + 1 + k) % histories.length]!;
        const [store, raw] = [await boot(h), await rawBoot(h)];
        if (r >= 0) h.store.push(store), h.raw.push(raw);
        await pause(20);
      }
  } finally {
    for (const h of histories) await deleteEventStore(h.name);
  }
  const results: BenchResult[] = [];
  const notes: string[] = [];
  for (const h of histories) {
    results.push(compare(`boot.${h.label}`, 'ms', median(h.store), median(h.raw)));
    notes.push(`boot ${h.label}: current cart at version ${h.version}; store ${h.store.map((ms) => round(ms, 1)).join(', ')} ms; raw ${h.raw.map((ms) => round(ms, 1)).join(', ')} ms`);
  }
  const [small, large] = [histories[0]!, histories[histories.length - 1]!];
  results.push({ name: 'boot.ratio.100k_1k', unit: 'x', value: median(large.store) / median(small.store) });
  notes.push(`boot: raw open+get 100k/1k = ${round(median(large.raw) / median(small.raw), 2)}`);
  notes.forEach(log);
  return { results, notes };
}
