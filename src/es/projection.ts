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
}

/**
 * An inline projection is updated in the append's own transaction (consistent at once); an
 * async one follows the log from a persisted checkpoint (eventually consistent, lag observable).
 */
export type ProjectionMode = 'inline' | 'async';

export interface ProjectionSpec<Row = unknown> extends Projection<Row> {
  mode?: ProjectionMode;
}
