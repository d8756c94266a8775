// What the history panel says about each event: the rows a filter leaves, and short forms of the
// ids a row has room for. The full envelope is one click away (history-diff's "Show envelope").
import type { EventEnvelope } from '../../es/envelope.ts';

export const ALL_TYPES = 'all';

export type SyncState = 'pending' | 'confirmed';

/**
 * CONTRACT §2: an event is confirmed once the server gave it a position. The stream head's mark
 * (versions 1..confirmedThrough) says so for events read before their confirmation came in.
 */
export const syncState = (event: EventEnvelope, confirmedThrough = 0): SyncState =>
  event.position !== undefined || event.version <= confirmedThrough ? 'confirmed' : 'pending';

/**
 * The tail of an id: UUIDv7s made in the same second share their first characters (they are a
 * timestamp), so the random end is what tells two of them apart.
 */
export const shortId = (id: string): string => id.replace(/-/g, '').slice(-6);

/** The versions a filter shows, ascending; undefined means every event (no array at 100 k rows). */
export function versionsOfType(events: readonly EventEnvelope[], type: string): number[] | undefined {
  if (type === ALL_TYPES) return undefined;
  const versions: number[] = [];
  for (const event of events) if (event.type === type) versions.push(event.version);
  return versions;
}

/** How many events of each type the stream holds, for the filter's options. */
export function typeCounts(events: readonly EventEnvelope[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  return counts;
}
