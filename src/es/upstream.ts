// What sync needs from the store, and nothing more: the outbox (pending events), confirming
// them with server positions, and rebasing a stream's pending tail onto events from upstream.
// The command path writes a page per command (pending); bulk paths write pages of many commands
// (pulled: confirmed). Healing turns pages back to pending and confirms them again as far as the
// server's log goes, which may end inside a page: a page then holds a confirmed prefix and a
// pending rest, and the stream head's confirmedThrough says where one ends.
import type { EventPage, StreamHead, Tables } from './db.ts';
import type { EventEnvelope } from './envelope.ts';
import { ConcurrencyError } from './errors.ts';
import { paginate, toPage } from './pages.ts';
import { foldHeadRows, inHead, withRows } from './head-rows.ts';
import type { Projection } from './projection.ts';

export interface Ack {
  streamId: string;
  version: number;
  position: number;
}

/**
 * A stream's stored pages that hold versions ≥ `from`: the first may start before it (a page
 * whose confirmed prefix a confirmation ended inside), the rest start at or after it.
 */
async function pagesFrom(t: Pick<Tables, 'pages'>, streamId: string, from: number): Promise<EventPage[]> {
  const [before, rest] = await Promise.all([
    t.pages.where('[streamId+first]').between([streamId, 0], [streamId, from], true, false).last(),
    t.pages.where('[streamId+first]').between([streamId, from], [streamId, Infinity]).toArray(),
  ]);
  return before && before.last >= from ? [before, ...rest] : rest;
}

/**
 * Pending events, stream by stream in version order, about `limit` at most, cut only between
 * commands: a push is atomic, so a command is then either wholly upstream or not at all. (Pulled
 * pages hold many commands, and a command may straddle two of them.) A single command over the
 * limit goes whole: the server's answer then says why it cannot sync.
 */
export async function readOutbox(t: Pick<Tables, 'streams' | 'pages'>, limit: number, skip: ReadonlySet<string> = new Set()): Promise<EventEnvelope[]> {
  // The outbox index holds only the heads with pending events, in streamId order (head-index.ts).
  const pending = (await t.streams.where('outbox').equals(1).toArray()).filter((h) => !h.foreign && !skip.has(h.streamId));
  const out: EventEnvelope[] = [];
  /** Where the command the last event belongs to starts in `out`. */
  let commandStart = 0;
  for (const head of pending) {
    for (const page of await pagesFrom(t, head.streamId, head.confirmedThrough + 1)) {
      for (const event of page.events) {
        if (event.version <= head.confirmedThrough) continue;
        const last = out[out.length - 1];
        const sameCommand = last !== undefined && last.streamId === event.streamId && last.meta.commandId === event.meta.commandId;
        if (!sameCommand) {
          if (out.length >= limit) return out;
          commandStart = out.length;
        }
        out.push(event);
        // Over the limit inside a command that did not start the batch: the batch ends before it.
        if (out.length > limit && commandStart > 0) return out.slice(0, commandStart);
      }
    }
  }
  return out;
}

/**
 * Attaches positions to pending events and moves each stream's confirmed mark, through the
 * contiguous run of acknowledged versions after it. A stored page may hold many commands (a
 * pulled page): when the run ends inside it, the page keeps a confirmed prefix and a pending
 * rest — the mark says where one ends — so healing confirms whatever part of a page the
 * server's log holds.
 */
export async function confirm(t: Pick<Tables, 'streams' | 'pages' | 'commands'>, acks: readonly Ack[]): Promise<void> {
  const byStream = new Map<string, Map<number, number>>();
  for (const ack of acks) (byStream.get(ack.streamId) ?? byStream.set(ack.streamId, new Map()).get(ack.streamId)!).set(ack.version, ack.position);
  const confirmedCommands = new Set<string>();
  for (const [streamId, positions] of byStream) {
    const head = await t.streams.get(streamId);
    if (!head) continue;
    let confirmedThrough = head.confirmedThrough;
    const changed: EventPage[] = [];
    for (const page of await pagesFrom(t, streamId, confirmedThrough + 1)) {
      let touched = false;
      const events = page.events.map((e) => {
        const position = e.version === confirmedThrough + 1 ? positions.get(e.version) : undefined;
        if (position === undefined) return e;
        confirmedThrough++;
        touched = true;
        confirmedCommands.add(e.meta.commandId);
        return { ...e, position };
      });
      if (touched) changed.push({ ...page, events });
      if (page.last > confirmedThrough) break;
    }
    if (confirmedThrough === head.confirmedThrough) continue;
    await Promise.all([t.pages.bulkPut(changed), t.streams.put({ ...head, confirmedThrough })]);
  }
  const records = await t.commands.bulkGet([...confirmedCommands]);
  await t.commands.bulkPut(records.filter((r) => r !== undefined).map((r) => ({ ...r, status: 'confirmed' as const })));
}

/**
 * Replaces a stream's pending tail with `upstream` (confirmed events that follow the confirmed
 * prefix) and refolds the rows its head carries (head-rows.ts) from the new stream. Returns the
 * dropped pending events, whose commands the caller decides again on top.
 */
export async function rebaseStream(
  t: Pick<Tables, 'streams' | 'pages'>,
  projections: readonly Projection[],
  streamId: string,
  upstream: readonly EventEnvelope[],
  upcast: (e: EventEnvelope) => EventEnvelope,
): Promise<EventEnvelope[]> {
  const head: StreamHead = (await t.streams.get(streamId)) ?? { streamId, version: 0, confirmedThrough: 0 };
  upstream.forEach((e, i) => {
    if (e.streamId !== streamId || e.position === undefined || e.version !== head.confirmedThrough + 1 + i)
      throw new ConcurrencyError(streamId, head.confirmedThrough + i, e.version);
  });
  // The pending tail goes; a page it starts inside keeps its confirmed prefix (see confirm).
  const pendingPages = await pagesFrom(t, streamId, head.confirmedThrough + 1);
  const dropped = pendingPages.flatMap((p) => p.events.filter((e) => e.version > head.confirmedThrough));
  const [straddling] = pendingPages;
  const kept = straddling && straddling.first <= head.confirmedThrough ? toPage(straddling.events.filter((e) => e.version <= head.confirmedThrough)) : undefined;
  await t.pages.bulkDelete(pendingPages.filter((p) => p !== straddling || !kept).map((p) => p.seq!));
  if (kept) await t.pages.put({ ...kept, seq: straddling!.seq! });
  if (upstream.length) await t.pages.bulkAdd(paginate(upstream));
  const version = head.confirmedThrough + upstream.length;
  const { snapshot: _stale, ...rest } = head;

  // The head's rows are refolded from the stream's whole new history (the dropped events'
  // effects roll back with it).
  const stream = (await t.pages.where('[streamId+first]').between([streamId, 0], [streamId, Infinity]).toArray()).flatMap((p) => p.events.map(upcast));
  const rows = foldHeadRows(projections.filter(inHead), streamId, stream, new Map(), undefined);
  await t.streams.put(withRows({ ...rest, version, confirmedThrough: version }, rows));
  return dropped;
}

/**
 * Healing (CONTRACT §5): the server these positions came from lost events, so every event of
 * the selected streams with confirmed events goes back to pending — same ids, versions and content, positions removed — to be
 * matched by id against the log pulled again, and what it lacks pushed as it is.
 */
export async function unconfirmStreams(t: Pick<Tables, 'streams' | 'pages'>, select: (head: StreamHead) => boolean): Promise<string[]> {
  const heads = await t.streams.filter((h) => h.confirmedThrough > 0 && select(h)).toArray();
  for (const head of heads) {
    const pages = await t.pages.where('[streamId+first]').between([head.streamId, 0], [head.streamId, head.confirmedThrough], true, true).toArray();
    const stripped = pages.map((page) => ({ ...page, events: page.events.map(({ position: _position, ...event }) => event) }));
    await Promise.all([t.pages.bulkPut(stripped), t.streams.put({ ...head, confirmedThrough: 0 })]);
  }
  return heads.map((h) => h.streamId);
}
