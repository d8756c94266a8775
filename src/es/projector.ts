// Runs projections (keyed folds, see projection.ts) over events: inline inside an append's
// transaction, as a full rebuild from the log, or asynchronously behind a persisted checkpoint.
import { Dexie } from 'dexie';
import { inTransaction, type CartlogDb, type EventPage, type Tables } from './db.ts';
import type { EventEnvelope } from './envelope.ts';
import type { Projection } from './projection.ts';
import type { Upcast } from './upcast.ts';

const REBUILD_PAGES_PER_READ = 200;

/** Folds `events` into the rows they touch. Call inside a readwrite transaction over readModels. */
export async function project(db: Pick<Tables, 'readModels'>, projections: readonly Projection[], events: readonly EventEnvelope[]): Promise<void> {
  if (projections.length === 0 || events.length === 0) return;
  const touched = new Map<string, { projection: Projection; key: string }>();
  for (const event of events)
    for (const projection of projections)
      for (const key of projection.keysOf(event)) touched.set(rowId(projection.name, key), { projection, key });
  if (touched.size === 0) return;

  const targets = [...touched.values()];
  const stored = await db.readModels.bulkGet(targets.map((t) => [t.projection.name, t.key]));
  const rows = new Map<string, unknown>();
  targets.forEach((t, i) => rows.set(rowId(t.projection.name, t.key), stored[i]?.value));

  for (const event of events)
    for (const projection of projections)
      for (const key of projection.keysOf(event)) {
        const id = rowId(projection.name, key);
        rows.set(id, projection.evolve(rows.get(id), event, key));
      }
  await writeRows(db, targets, rows);
}

/** Refolds the projections' rows from the whole log, in pages, and records their versions. */
export async function rebuild(db: CartlogDb, projections: readonly Projection[], upcast: Upcast): Promise<number> {
  return inTransaction(db, 'rw', ['pages', 'readModels', 'projections'], async (db) => {
    for (const p of projections) await rowsOf(db, p.name).delete();
    const rows = new Map<string, unknown>();
    const targets = new Map<string, { projection: Projection; key: string }>();
    let lastSeq = 0;
    let count = 0;
    for (;;) {
      const pages: EventPage[] = await db.pages.where('seq').above(lastSeq).limit(REBUILD_PAGES_PER_READ).toArray();
      if (pages.length === 0) break;
      for (const page of pages)
        for (const stored of page.events) {
          const event = upcast(stored);
          for (const projection of projections)
            for (const key of projection.keysOf(event)) {
              const id = rowId(projection.name, key);
              if (!targets.has(id)) targets.set(id, { projection, key });
              rows.set(id, projection.evolve(rows.get(id), event, key));
            }
          count++;
        }
      lastSeq = pages[pages.length - 1]!.seq!;
    }
    await writeRows(db, [...targets.values()], rows);
    await db.projections.bulkPut(projections.map((p) => ({ name: p.name, version: p.version, checkpoint: lastSeq })));
    return count;
  });
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

async function writeRows(db: Pick<Tables, 'readModels'>, targets: readonly { projection: Projection; key: string }[], rows: Map<string, unknown>) {
  const puts = [];
  const deletes: [string, string][] = [];
  for (const { projection, key } of targets) {
    const value = rows.get(rowId(projection.name, key));
    if (value === undefined) deletes.push([projection.name, key]);
    else puts.push({ projection: projection.name, key, value });
  }
  if (puts.length) await db.readModels.bulkPut(puts);
  if (deletes.length) await db.readModels.bulkDelete(deletes);
}

function rowId(projection: string, key: string): string {
  return `${projection}\u0000${key}`;
}
