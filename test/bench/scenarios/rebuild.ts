// 4. Projection rebuild: store.rebuildProjections() over 100 000 events, against raw IndexedDB
// reading the same packed records with getAll in one transaction.
import { openCarts } from '../../../src/cart/carts.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, batches } from '../fixtures.ts';
import { openRaw } from '../raw/idb.ts';
import { readPacked } from '../raw/log.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, median, pause, round, timed } from '../stats.ts';
import { BATCH, bulkEvents } from './history.ts';

const ROUNDS = 3;
/** As many pages per read as src/es/projector.ts's rebuild takes. */
const PAGES_PER_READ = 200;

export async function rebuildScenario(): Promise<ScenarioOutput> {
  const events = bulkEvents();
  const name = dbName('rebuild');
  const carts = await openCarts({ name, deviceId: DEVICE_ID });
  let raw: IDBDatabase | undefined;
  try {
    for (const chunk of batches(events, BATCH)) await carts.store.appendBulk(chunk);
    await carts.store.catchUp();
    await pause(300);
    await carts.store.catchUp();
    // The same database through a second, plain connection: the very records the store reads.
    raw = await openRaw(name);
    const store: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const rebuilt = await timed(() => carts.store.rebuildProjections());
      if (rebuilt.value !== events.length) throw new Error(`rebuild: folded ${rebuilt.value} of ${events.length}`);
      store.push(rebuilt.ms);
      const read = await timed(() => readPacked(raw!, PAGES_PER_READ));
      if (read.value !== events.length) throw new Error(`rebuild: raw read ${read.value} of ${events.length}`);
      baseline.push(read.ms);
    }
    const rate = (ms: number) => events.length / (ms / 1000);
    const notes = [
      `rebuild: ${events.length} events, median of ${ROUNDS}: store ${round(median(store), 0)} ms (${store.map((ms) => round(ms, 0)).join(', ')}), ` +
        `raw getAll ${round(median(baseline), 0)} ms (${baseline.map((ms) => round(ms, 0)).join(', ')})`,
    ];
    notes.forEach(log);
    return { results: [compare('rebuild', 'events/s', rate(median(store)), rate(median(baseline)))], notes };
  } finally {
    raw?.close();
    carts.close();
    await deleteEventStore(name);
  }
}
