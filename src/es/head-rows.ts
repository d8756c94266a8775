// A stream's own read-model rows ride in its head. An inline projection keyed by stream
// (Projection.byStream: a cart's view, its list entry) has one row per stream, changed only by
// that stream's events, and every write of those events writes the head anyway. Kept in the head
// (StreamHead.rows), the rows cost no record of their own: a command writes its page and the head
// (not two rows besides), reads the head alone, and a bulk append (import, sync pull) writes two
// records per stream instead of four — in IndexedDB the cost is per record (db.ts).
// Every other row (projections keyed otherwise, async ones, sync's bookkeeping) stays in readModels.
import type { StreamHead } from './db.ts';
import type { EventEnvelope } from './envelope.ts';
import { foldRun, isDerived, rowId, type Projection } from './projection.ts';

/** Rows already known in a transaction, by rowId(); `undefined` = known to be absent. */
export type KnownRows = Map<string, unknown>;

/** Whether `projection`'s rows live in the heads, for a store's inline projections. */
export const inHead = (projection: Projection): boolean => projection.byStream === true;

/** Notes the head's rows of `projections` as known (absent ones as undefined), unless known already. */
export function knowHeadRows(rows: KnownRows, projections: readonly Projection[], streamId: string, head: StreamHead | undefined): void {
  for (const projection of projections) {
    const id = rowId(projection.name, streamId);
    if (!rows.has(id)) rows.set(id, head?.rows?.[projection.name]);
  }
}

/**
 * Folds a stream's new events (upcast, in version order) into its head's rows: `rows` (which must
 * know them, see knowHeadRows) is updated, and the rows the head carries next are returned —
 * undefined when there are none. `base`: the rows it carried before (none after a rebase's refold).
 */
export function foldHeadRows(
  projections: readonly Projection[],
  streamId: string,
  events: readonly EventEnvelope[],
  rows: KnownRows,
  base: StreamHead['rows'],
): StreamHead['rows'] {
  const next: Record<string, unknown> = { ...base };
  const folded = new Set<string>();
  for (const projection of projections) {
    // A derived row is made once its source's is folded; a folded one from the events that touch it.
    const derived = isDerived(projection);
    const run = derived ? events : events.filter((e) => projection.keysOf(e).includes(streamId));
    if (derived ? !folded.has(projection.from) : run.length === 0) continue;
    folded.add(projection.name);
    const id = rowId(projection.name, streamId);
    const after = foldRun(projection, rows.get(id), run, streamId, rows);
    rows.set(id, after);
    if (after === undefined) delete next[projection.name];
    else next[projection.name] = after;
  }
  return Object.keys(next).length ? next : undefined;
}

/** `head` carrying `rows` (none: the field goes). */
export function withRows(head: StreamHead, rows: StreamHead['rows']): StreamHead {
  const { rows: _previous, ...rest } = head;
  return rows ? { ...rest, rows } : rest;
}
