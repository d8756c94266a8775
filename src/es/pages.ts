// Reading and writing the paged log (see db.ts for why events are stored in pages).
import type { EventPage, Tables } from './db.ts';
import { PAGE_SIZE } from './db.ts';
import type { EventEnvelope } from './envelope.ts';

export function toPage(events: readonly EventEnvelope[]): EventPage {
  const first = events[0]!;
  return {
    streamId: first.streamId,
    first: first.version,
    last: first.version + events.length - 1,
    types: [...new Set(events.map((e) => e.type))],
    events: events as EventEnvelope[],
  };
}

/** Splits one stream's contiguous events into pages of at most PAGE_SIZE. */
export function paginate(events: readonly EventEnvelope[]): EventPage[] {
  const pages: EventPage[] = [];
  for (let i = 0; i < events.length; i += PAGE_SIZE) pages.push(toPage(events.slice(i, i + PAGE_SIZE)));
  return pages;
}

/** The stored events of one stream with from ≤ version ≤ to, in version order. */
export async function readStreamRange(db: Pick<Tables, 'pages'>, streamId: string, from: number, to: number): Promise<EventEnvelope[]> {
  if (to < from) return [];
  // The page that holds `from` may start before it: find it with one reverse step, then walk forward.
  const before = await db.pages.where('[streamId+first]').between([streamId, 0], [streamId, from], true, false).last();
  const rest = await db.pages.where('[streamId+first]').between([streamId, from], [streamId, to], true, true).toArray();
  const pages = before && before.last >= from ? [before, ...rest] : rest;
  const out: EventEnvelope[] = [];
  for (const page of pages)
    for (const event of page.events) if (event.version >= from && event.version <= to) out.push(event);
  return out;
}
