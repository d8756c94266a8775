// A projection is a keyed fold: each event touches a few rows (by key), and each row evolves
// from its previous value. That one shape serves the command path (fold a handful of rows in
// the append's transaction), a rebuild (fold every row in memory, write once) and a rollback
// (refold the rows of one stream) alike, so read models stay equal to a fold of the log.
import type { EventEnvelope } from './envelope.ts';

interface ProjectionBase {
  /** Unique name; rows are stored under it (in the read-model table, or in the heads: byStream). */
  name: string;
  /** Bump when `keysOf`/`evolve` change meaning: the store rebuilds the rows from the log. */
  version: number;
  /** The keys of the rows `event` changes; [] when it changes none. */
  keysOf: (event: EventEnvelope) => readonly string[];
  /**
   * Every event touches only the row keyed by its stream id. An inline projection's rows then
   * ride in the stream heads (head-rows.ts): read and written with the head, no record of their own.
   */
  byStream?: boolean;
}

/** A projection whose rows are folded from their own previous value, event by event. */
export interface FoldedProjection<Row = unknown> extends ProjectionBase {
  /** The row after `event`; `undefined` deletes it. Must be pure and must not mutate `row`. */
  evolve: (row: Row | undefined, event: EventEnvelope, key: string) => Row | undefined;
  /**
   * Optional: the row after a run of events at once, equal to folding `evolve` over them. Bulk
   * paths (import, pull, rebuild) call it so a row is built once per batch, not once per event.
   */
  evolveAll?: (row: Row | undefined, events: readonly EventEnvelope[], key: string) => Row | undefined;
}

/**
 * A projection whose row is a summary of another one's row under the same key (a list entry of a
 * cart's view): it is made from that row once it is folded, in the same transaction, so it needs
 * neither its own previous value (no read) nor the state to refold it (smaller rows). It follows
 * the other's keys, and is folded wherever that one is (the store checks it is listed after it).
 */
export interface DerivedProjection<Row = unknown, Source = unknown> extends ProjectionBase {
  from: string;
  derive: (source: Source | undefined, key: string) => Row | undefined;
}

// The source's row type is the derived projection's own business: any, so a list holds both kinds.
export type Projection<Row = unknown> = FoldedProjection<Row> | DerivedProjection<Row, any>;

/** A projection made from `source`'s rows: see DerivedProjection. */
export function derivedFrom<Row, Source>(
  source: FoldedProjection<Source>,
  spec: { name: string; version: number; derive: (source: Source | undefined, key: string) => Row | undefined },
): DerivedProjection<Row, Source> {
  return { ...spec, from: source.name, keysOf: source.keysOf, ...(source.byStream ? { byStream: true } : {}) };
}

export const isDerived = (projection: Projection): projection is DerivedProjection => 'derive' in projection;

/**
 * The row after `events` (a run of them, in order, that touch it): folded from `before`, or for
 * a derived projection made from its source's row as already folded into `rows` (KnownRows ids).
 * Every path that folds — command, bulk, rebuild, rebase — goes through here.
 */
export function foldRun(projection: Projection, before: unknown, events: readonly EventEnvelope[], key: string, rows: ReadonlyMap<string, unknown>): unknown {
  if (isDerived(projection)) return projection.derive(rows.get(rowId(projection.from, key)), key);
  if (projection.evolveAll) return projection.evolveAll(before, events, key);
  let row = before;
  for (const event of events) row = projection.evolve(row, event, key);
  return row;
}

/** Where a row is known within a transaction: one id per projection and key. */
export function rowId(projection: string, key: string): string {
  return `${projection}\u0000${key}`;
}

/**
 * The order projections must be folded in: a derived one after its source. Throws when a derived
 * projection's source is missing from `projections` (its rows could not be made).
 */
export function checkDerivedOrder(projections: readonly Projection[]): void {
  projections.forEach((projection, i) => {
    if (!isDerived(projection)) return;
    const source = projections.findIndex((p) => p.name === projection.from);
    if (source < 0 || source > i) throw new Error(`Projection ${projection.name} is derived from ${projection.from}, which must be listed before it (with the same mode).`);
  });
}

/**
 * What a rebuild of `stale` must refold: a derived projection is made from its source's rows, so
 * it brings its source, and a source brings the projections derived from it (their rows follow its meaning).
 */
export function withRelated(stale: readonly Projection[], all: readonly Projection[]): Projection[] {
  const names = new Set(stale.map((p) => p.name));
  for (const p of stale) if (isDerived(p)) names.add(p.from);
  for (const p of all) if (isDerived(p) && names.has(p.from)) names.add(p.name);
  return all.filter((p) => names.has(p.name));
}

/**
 * An inline projection is updated in the append's own transaction (consistent at once); an
 * async one follows the log from a persisted checkpoint (eventually consistent, lag observable).
 */
export type ProjectionMode = 'inline' | 'async';

export type ProjectionSpec<Row = unknown> = Projection<Row> & { mode?: ProjectionMode };
