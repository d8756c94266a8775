// Runs projections (keyed folds, see projection.ts) over events: inline inside an append's
// transaction, as a full rebuild from the log, or asynchronously behind a persisted checkpoint.
import { Dexie } from 'dexie';
import { inTransaction, type CartlogDb, type EventPage, type Tables } from './db.ts';
import type { EventEnvelope } from './envelope.ts';
import { foldRun, isDerived, rowId, type Projection } from './projection.ts';
import { inHead, withRows, type KnownRows } from './head-rows.ts';

export { rowId };
import type { Upcast } from './upcast.ts';

const REBUILD_PAGES_PER_READ = 200;

export type { KnownRows };

interface Target {
  projection: Projection;
  key: string;
  events: EventEnvelope[];
}

/**
 * Folds `events` into the rows they touch and writes them. Call inside a readwrite transaction
 * over readModels. Rows in `known` are not read again; when all are known, the writes are issued
 * in the same tick (so the caller can commit right after).
 */
export async function project(
  db: Pick<Tables, 'readModels'>,
  projections: readonly Projection[],
  events: readonly EventEnvelope[],
  known: KnownRows = new Map(),
  /** Called as soon as the last write is issued (e.g. to commit the transaction early). */
  onIssued?: () => void,
): Promise<void> {
  const targets = groupByRow(projections, events);
  if (targets.size === 0) return onIssued?.();
  // A derived row is made from its source's, never from its own previous value: not read.
  const missing = [...targets.entries()].filter(([id, t]) => !known.has(id) && !isDerived(t.projection));
  if (missing.length) {
    const stored = await db.readModels.bulkGet(missing.map(([, t]) => [t.projection.name, t.key]));
    missing.forEach(([id], i) => known.set(id, stored[i]?.value));
  }
  // In the order groupByRow found them (see foldRows).
  for (const [id, target] of targets) known.set(id, foldRun(target.projection, known.get(id), target.events, target.key, known));
  const writing = writeRows(db, targets, known);
  onIssued?.();
  await writing;
}

/** Refolds the projections' rows from the whole log, in pages, and records their versions. */
export async function rebuild(db: CartlogDb, projections: readonly Projection[], upcast: Upcast): Promise<number> {
  return inTransaction(db, 'rw', ['pages', 'streams', 'readModels', 'projections'], (t) => rebuildIn(t, projections, upcast));
}

/**
 * The same inside a transaction the caller opened (a rebase refolds with its own writes).
 * `projections` are inline ones: those keyed by stream are written into the heads (head-rows.ts).
 */
export async function rebuildIn(db: Pick<Tables, 'pages' | 'streams' | 'readModels' | 'projections'>, projections: readonly Projection[], upcast: Upcast): Promise<number> {
  // Rows in readModels go, also those a previous layout kept there for projections now in the heads.
  const clearing = Promise.all(projections.map((p) => rowsOf(db, p.name).delete()));
  const rows: KnownRows = new Map();
  const touched = new Map<string, Target>();
  let count = 0;
  let lastSeq = 0;
  const read = (after: number) => db.pages.where('seq').above(after).limit(REBUILD_PAGES_PER_READ).toArray();
  let next: Promise<EventPage[]> = read(0);
  for (;;) {
    const pages = await next;
    if (pages.length === 0) break;
    lastSeq = pages[pages.length - 1]!.seq!;
    next = read(lastSeq); // IndexedDB reads the next batch while this one folds
    const events = pages.flatMap((page) => page.events.map(upcast));
    foldRows(projections, events, rows, touched);
    count += events.length;
  }
  await clearing;
  const headed = projections.filter(inHead);
  await Promise.all([writeRows(db, new Map([...touched].filter(([, t]) => !inHead(t.projection))), rows), headed.length ? writeHeadRows(db, headed, rows) : undefined]);
  await db.projections.bulkPut(projections.map((p) => ({ name: p.name, version: p.version, checkpoint: lastSeq })));
  return count;
}

/** Every head's rows of `projections` replaced by those folded into `rows` (a rebuild's). */
async function writeHeadRows(db: Pick<Tables, 'streams'>, projections: readonly Projection[], rows: KnownRows): Promise<void> {
  const heads = await db.streams.toArray();
  const names = new Set(projections.map((p) => p.name));
  const rebuilt = heads.map((head) => {
    const kept = Object.entries(head.rows ?? {}).filter(([name]) => !names.has(name));
    const fresh = projections.flatMap((p) => {
      const value = rows.get(rowId(p.name, head.streamId));
      return value === undefined ? [] : [[p.name, value] as const];
    });
    const next = [...kept, ...fresh];
    return withRows(head, next.length ? Object.fromEntries(next) : undefined);
  });
  await db.streams.bulkPut(rebuilt);
}

/** An async projection starts over: its rows go, and it refolds the log from the start as it catches up. */
export async function resetAsyncIn(db: Pick<Tables, 'readModels' | 'projections'>, projections: readonly Projection[]): Promise<void> {
  for (const p of projections) {
    await rowsOf(db, p.name).delete();
    await db.projections.put({ name: p.name, version: p.version, checkpoint: 0 });
  }
}

export interface AsyncProjector {
  /** Folds every page committed since the checkpoint; resolves when caught up. */
  catchUp: () => Promise<void>;
  /** Events committed to the log but not yet folded into this projection. */
  lag: () => Promise<number>;
}

/**
 * An eventually consistent projection. Each step is one transaction that reads the checkpoint,
 * folds the next pages and moves the checkpoint, so two tabs catching up at once never fold a
 * page twice (IndexedDB serialises overlapping readwrite transactions).
 */
export function createAsyncProjector(db: CartlogDb, projection: Projection, upcast: Upcast, pagesPerStep = 100): AsyncProjector {
  let running: Promise<void> | null = null;
  let again = false;

  async function step(): Promise<boolean> {
    return inTransaction(db, 'rw', ['pages', 'readModels', 'projections'], async (db) => {
      const checkpoint = (await db.projections.get(projection.name))?.checkpoint ?? 0;
      const pages = await db.pages.where('seq').above(checkpoint).limit(pagesPerStep).toArray();
      if (pages.length === 0) return false;
      await project(db, [projection], pages.flatMap((p) => p.events.map(upcast)));
      await db.projections.put({ name: projection.name, version: projection.version, checkpoint: pages[pages.length - 1]!.seq! });
      return true;
    });
  }

  async function run(): Promise<void> {
    do {
      again = false;
      while (await step());
    } while (again);
  }

  return {
    catchUp() {
      if (running) {
        again = true;
        return running;
      }
      running = run().finally(() => (running = null));
      return running;
    },
    async lag() {
      return inTransaction(db, 'r', ['pages', 'projections'], async (db) => {
        const checkpoint = (await db.projections.get(projection.name))?.checkpoint ?? 0;
        let behind = 0;
        await db.pages.where('seq').above(checkpoint).each((p) => (behind += p.last - p.first + 1));
        return behind;
      });
    },
  };
}

export function rowsOf(db: Pick<Tables, 'readModels'>, projection: string) {
  return db.readModels.where('[projection+key]').between([projection, Dexie.minKey], [projection, Dexie.maxKey]);
}

/**
 * Folds `events` into `rows` (by rowId, as they were before the events; absent = no row yet), in
 * memory: each row once per call, from all of its events. `touched`, when given, collects the
 * rows folded. Returns `rows`.
 */
export function foldRows(projections: readonly Projection<any>[], events: readonly EventEnvelope[], rows: KnownRows = new Map(), touched?: Map<string, Target>): KnownRows {
  // In the order groupByRow found them: a source's row before the rows derived from it.
  for (const [id, target] of groupByRow(projections, events)) {
    rows.set(id, foldRun(target.projection, rows.get(id), target.events, target.key, rows));
    touched?.set(id, target);
  }
  return rows;
}

/** The rows `events` touch, each with its events in order. */
function groupByRow(projections: readonly Projection[], events: readonly EventEnvelope[]): Map<string, Target> {
  const targets = new Map<string, Target>();
  // Events come stream by stream, so a projection's next row is mostly its last one: checked
  // first, it spares building the row's id and looking it up for each event.
  const last: (Target | undefined)[] = projections.map(() => undefined);
  for (const event of events)
    for (let p = 0; p < projections.length; p++) {
      const projection = projections[p]!;
      for (const key of projection.keysOf(event)) {
        const previous = last[p];
        if (previous?.key === key) {
          previous.events.push(event);
          continue;
        }
        const id = rowId(projection.name, key);
        let target = targets.get(id);
        if (target) target.events.push(event);
        else targets.set(id, (target = { projection, key, events: [event] }));
        last[p] = target;
      }
    }
  return targets;
}

function writeRows(db: Pick<Tables, 'readModels'>, targets: Map<string, Pick<Target, 'projection' | 'key'>>, rows: KnownRows) {
  const puts = [];
  const deletes: [string, string][] = [];
  for (const [id, { projection, key }] of targets) {
    const value = rows.get(id);
    if (value === undefined) deletes.push([projection.name, key]);
    else puts.push({ projection: projection.name, key, value });
  }
  return Promise.all([puts.length ? db.readModels.bulkPut(puts) : undefined, deletes.length ? db.readModels.bulkDelete(deletes) : undefined]);
}

