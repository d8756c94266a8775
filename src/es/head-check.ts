// The heads' index marks (head-index.ts) are derived as heads are written, by this code. Code of
// another release writing to the same database — the previous one, which Dexie let into a newer
// database (open-report.ts now refuses that from this release on), or a later one that marks heads
// another way — can leave a head with pending events and no mark: never pushed, and the device
// says `synced`. So the store keeps, beside the projections' versions, how far into the log it
// knows the marks of the heads written to be right, and where the log has grown past that, writes
// the heads of the streams written since once more (through the middleware, which derives the
// marks) where theirs are wrong.
// Cheap by construction: the command path never moves the record (that would be one more write per
// command), so what lags after a session is its commands' small pages; every bulk write (a pull
// page, an import) catches up before it writes, then moves the record past its own pages.
import type { ProjectionState, StreamHead, Tables } from './db.ts';
import { withOutbox } from './head-index.ts';

/** Its row in `projections`: a name no projection can have (theirs are the domain's words). */
export const MARKS_CHECKED = '$head-marks';

type CheckTables = Pick<Tables, 'pages' | 'streams' | 'projections'>;

/** How far the marks are known right, from the `projections` rows (0: not known at all). */
export function checkedThrough(states: readonly ProjectionState[]): number {
  return states.find((state) => state.name === MARKS_CHECKED)?.checkpoint ?? 0;
}

/** The last page's `seq`, 0 without pages: keys only, the newest first. */
export async function lastSeq(t: Pick<Tables, 'pages'>): Promise<number> {
  const [last] = await t.pages.toCollection().reverse().limit(1).primaryKeys();
  return last ?? 0;
}

export function markChecked(t: Pick<Tables, 'projections'>, seq: number): Promise<unknown> {
  return t.projections.put({ name: MARKS_CHECKED, version: 1, checkpoint: seq });
}

/**
 * Brings the marks of every head written since the record up to date, and the record to the log's
 * end; returns the streams whose heads were written again (their outbox changed).
 */
export async function catchUpMarks(t: CheckTables): Promise<string[]> {
  const from = (await t.projections.get(MARKS_CHECKED))?.checkpoint ?? 0;
  const pages = await t.pages.where('seq').above(from).toArray();
  if (pages.length === 0) return [];
  const heads = await t.streams.bulkGet([...new Set(pages.map((page) => page.streamId))]);
  const stale = heads.filter((head): head is StreamHead => head !== undefined && withOutbox(head) !== head);
  await Promise.all([stale.length ? t.streams.bulkPut(stale) : undefined, markChecked(t, pages.at(-1)!.seq!)]);
  return stale.map((head) => head.streamId);
}
