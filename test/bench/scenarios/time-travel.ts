// 5. Time travel on a long cart: opening the history panel's timeline on a 100 000-event stream
// (read the stream, fold the first state), against raw IndexedDB reading the same page records;
// then jumps and steps of the slider (the engine part: seek + view, folded in memory).
import { openCarts } from '../../../src/cart/carts.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { PAGE_SIZE, type EventPage } from '../../../src/es/db.ts';
import { openTimeline } from '../../../src/ui/history/timeline.ts';
import { createHistory } from '../../../src/es/history.ts';
import { cartViewProjection, type CartView } from '../../../src/cart/projections.ts';
import { DEVICE_ID, batches, cartHistory, newCartId } from '../fixtures.ts';
import { done, openRaw, request } from '../raw/idb.ts';
import { compare, type BenchResult, type ScenarioOutput } from '../result.ts';
import { dbName, log, median, pause, percentile, round, timed } from '../stats.ts';
import { BATCH } from './history.ts';

const LENGTH = 100_000;
const ROUNDS = 5;
const JUMPS = 200;
const STEPS = 500;

/** The raw baseline: one transaction, the stream's pages by [streamId+first], one getAll, flattened. */
async function readStreamRaw(db: IDBDatabase, streamId: string): Promise<EventEnvelope[]> {
  const tx = db.transaction('pages', 'readonly');
  const complete = done(tx);
  const range = IDBKeyRange.bound([streamId, 0], [streamId, Infinity]);
  const pages = (await request(tx.objectStore('pages').index('[streamId+first]').getAll(range))) as EventPage[];
  await complete;
  const events: EventEnvelope[] = [];
  for (const page of pages) for (const event of page.events) events.push(event);
  return events;
}

/** The panel's first rows: the newest FIRST_ROWS events (head, then the pages that hold them). */
const FIRST_ROWS = 100;

/** Raw: the head and the tail's pages by [streamId+first], one readonly transaction. */
async function readTailRaw(db: IDBDatabase, streamId: string, count: number): Promise<EventEnvelope[]> {
  const tx = db.transaction(['streams', 'pages'], 'readonly');
  const complete = done(tx);
  const head = (await request(tx.objectStore('streams').get(streamId))) as { version: number };
  const from = head.version - count + 1;
  const range = IDBKeyRange.bound([streamId, from - PAGE_SIZE + 1], [streamId, Infinity]);
  const pages = (await request(tx.objectStore('pages').index('[streamId+first]').getAll(range))) as EventPage[];
  await complete;
  const events: EventEnvelope[] = [];
  for (const page of pages) for (const event of page.events) if (event.version >= from) events.push(event);
  return events;
}

// A fixed-seed generator, so every run jumps to the same versions.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function timeTravelScenario(): Promise<ScenarioOutput> {
  const name = dbName('timetravel');
  const cartId = newCartId();
  const notes: string[] = [];
  try {
    const seeding = await openCarts({ name, deviceId: DEVICE_ID });
    try {
      for (const chunk of batches(cartHistory(cartId, LENGTH, 30), BATCH)) await seeding.store.appendBulk(chunk);
      await seeding.store.catchUp();
    } finally {
      seeding.close();
    }

    // Open: each round on a fresh store connection (untimed), the app's open then the raw read, alternating.
    const openMs: number[] = [];
    const rawMs: number[] = [];
    const tailMs: number[] = [];
    const rawTailMs: number[] = [];
    const readMs: number[] = [];
    const knownMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const carts = await openCarts({ name, deviceId: DEVICE_ID });
      try {
        await pause(50);
        // First rows, on a cold connection: what the panel needs to show its newest rows.
        const tail = await timed(async () => {
          const head = await carts.store.use((db) => db.streams.get(cartId));
          return carts.store.readStream(cartId, { from: head!.version - FIRST_ROWS + 1 });
        });
        if (tail.value.length !== FIRST_ROWS) throw new Error(`time travel: the tail holds ${tail.value.length} events`);
        tailMs.push(tail.ms);
        const { ms, value: view } = await timed(async () => (await openTimeline(carts, cartId)).view());
        if (view?.version !== LENGTH) throw new Error(`time travel: view at version ${view?.version}, not ${LENGTH}`);
        openMs.push(ms);
        // Where the open's time goes: the read alone (warm), the rest is the fold.
        readMs.push((await timed(() => carts.store.readStream(cartId))).ms);
        // The open as the panel could do it (issue 12): the present from the persisted cart view, the past folded only when visited.
        const known = await timed(async () => {
          const [events, present] = await Promise.all([carts.store.readStream(cartId), carts.view(cartId)]);
          const evolve = (v: CartView | undefined, e: EventEnvelope) => cartViewProjection.evolve(v, e, cartId);
          return createHistory<CartView | undefined, EventEnvelope>({ initialState: () => undefined, evolve, present }, events).stateAt(events.length);
        });
        if (known.value?.version !== LENGTH) throw new Error('time travel: the known present is not the present');
        knownMs.push(known.ms);
      } finally {
        carts.close();
      }
      const raw = await openRaw(name);
      try {
        await pause(50);
        rawTailMs.push((await timed(() => readTailRaw(raw, cartId, FIRST_ROWS))).ms);
        const { ms, value } = await timed(() => readStreamRaw(raw, cartId));
        if (value.length !== LENGTH) throw new Error(`time travel: raw read ${value.length} events, not ${LENGTH}`);
        rawMs.push(ms);
      } finally {
        raw.close();
      }
    }
    notes.push(`time travel: open ${openMs.map((ms) => round(ms, 0)).join(', ')} ms; raw read ${rawMs.map((ms) => round(ms, 0)).join(', ')} ms (${ROUNDS} rounds, medians reported)`);

    // Jumps and steps: the engine work behind one slider move, on a timeline opened once.
    const carts = await openCarts({ name, deviceId: DEVICE_ID });
    notes.push(
      `time travel: first ${FIRST_ROWS} rows (head + tail pages, cold connection) ${tailMs.map((ms) => round(ms, 1)).join(', ')} ms, raw ${rawTailMs.map((ms) => round(ms, 1)).join(', ')} ms; ` +
        `the whole stream read alone (warm) ${readMs.map((ms) => round(ms, 0)).join(', ')} ms of the open; the open with the present known (read + persisted view, no fold; warm) ${knownMs.map((ms) => round(ms, 0)).join(', ')} ms`,
    );
    const results: BenchResult[] = [
      compare('history.open100k', 'ms', median(openMs), median(rawMs)),
      // The store's part of the panel's first rows; history.firstRows100k is the panel's own (ui-history-jump).
      compare('history.firstRows100k.store', 'ms', median(tailMs), median(rawTailMs)),
    ];
    try {
      const timeline = await openTimeline(carts, cartId);
      timeline.view();
      const next = random(42);
      const jumps: number[] = [];
      for (let i = 0; i < JUMPS; i++) {
        const target = 1 + Math.floor(next() * timeline.length);
        const start = performance.now();
        timeline.seek(target);
        const view = timeline.view();
        jumps.push(performance.now() - start);
        if (view?.version !== target) throw new Error(`time travel: jump to ${target} shows version ${view?.version}`);
      }
      const steps: number[] = [];
      const from = 1 + Math.floor(next() * (timeline.length - STEPS - 1));
      timeline.seek(from);
      timeline.view();
      for (let i = 0; i < STEPS; i++) {
        const start = performance.now();
        timeline.seek(timeline.position + 1);
        const view = timeline.view();
        steps.push(performance.now() - start);
        if (view?.version !== from + i + 1) throw new Error(`time travel: step to ${from + i + 1} shows version ${view?.version}`);
      }
      notes.push(
        `time travel: ${JUMPS} random jumps p50 ${round(median(jumps))} ms, max ${round(Math.max(...jumps))} ms; ${STEPS} steps from ${from} p50 ${round(median(steps))} ms, max ${round(Math.max(...steps))} ms ` +
          '(engine only: seek + view in memory, no rendering; no physical baseline)',
      );
      results.push({ name: 'history.jump.engine.p95', unit: 'ms', value: percentile(jumps, 95) });
      results.push({ name: 'history.step.p95', unit: 'ms', value: percentile(steps, 95) });
    } finally {
      carts.close();
    }
    notes.forEach(log);
    return { results, notes };
  } finally {
    // Dexie closes a connection a moment after close(): without the pause the delete logs "blocked".
    await pause(200);
    await deleteEventStore(name);
  }
}
