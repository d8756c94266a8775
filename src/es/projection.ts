// A projection is a keyed fold: each event touches a few rows (by key), and each row evolves
// from its previous value. That one shape serves the command path (fold a handful of rows in
// the append's transaction), a rebuild (fold every row in memory, write once) and a rollback
// (refold the rows of one stream) alike, so read models stay equal to a fold of the log.
import type { EventEnvelope } from './envelope.ts';

export interface Projection<Row = unknown> {
  /** Unique name; rows are stored under it in the read-model table. */
  name: string;
  /** Bump when `keysOf`/`evolve` change meaning: the store rebuilds the rows from the log. */
  version: number;
  /** The keys of the rows `event` changes; [] when it changes none. */
  keysOf: (event: EventEnvelope) => readonly string[];
  /** The row after `event`; `undefined` deletes it. Must be pure and must not mutate `row`. */
  evolve: (row: Row | undefined, event: EventEnvelope, key: string) => Row | undefined;
  /**
   * Optional: the row after a run of events at once, equal to folding `evolve` over them. Bulk
   * paths (import, pull, rebuild) call it so a row is built once per batch, not once per event.
   */
  evolveAll?: (row: Row | undefined, events: readonly EventEnvelope[], key: string) => Row | undefined;
  /**
   * Optional hint: every event touches only the row keyed by its stream id. The command path
   * then reads that row together with the stream head, saving a round trip.
   */
  byStream?: boolean;
}

/**
 * An inline projection is updated in the append's own transaction (consistent at once); an
 * async one follows the log from a persisted checkpoint (eventually consistent, lag observable).
 */
export type ProjectionMode = 'inline' | 'async';

export interface ProjectionSpec<Row = unknown> extends Projection<Row> {
  mode?: ProjectionMode;
}
