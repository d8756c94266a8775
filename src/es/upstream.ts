// What sync needs from the store, and nothing more: the outbox (pending events), confirming
// them with server positions, and rebasing a stream's pending tail onto events from upstream.
// Pages are all-pending or all-confirmed: the command path writes a page per command (pending),
// bulk paths write pages of pulled events (confirmed), and the outbox never splits a page.
import type { StreamHead, Tables } from './db.ts';
import type { EventEnvelope } from './envelope.ts';
import { ConcurrencyError } from './errors.ts';
import { paginate } from './pages.ts';
import { foldHeadRows, inHead, withRows } from './head-rows.ts';
import type { Projection } from './projection.ts';

export interface Ack {
  streamId: string;
  version: number;
  position: number;
}

/** Pending events, stream by stream in version order, whole pages only, about `limit` at most. */
export async function readOutbox(t: Pick<Tables, 'streams' | 'pages'>, limit: number, skip: ReadonlySet<string> = new Set()): Promise<EventEnvelope[]> {
  // The outbox index holds only the heads with pending events, in streamId order (head-index.ts).
  const pending = (await t.streams.where('outbox').equals(1).toArray()).filter((h) => !h.foreign && !skip.has(h.streamId));
  const out: EventEnvelope[] = [];
  for (const head of pending) {
    const pages = await t.pages.where('[streamId+first]').between([head.streamId, head.confirmedThrough + 1], [head.streamId, Infinity]).toArray();
    for (const page of pages) {
      if (out.length && out.length + page.events.length > limit) return out;
      out.push(...page.events);
    }
  }
  return out;
}

/** Attaches positions to pending events and moves each stream's confirmed mark. */
export async function confirm(t: Pick<Tables, 'streams' | 'pages' | 'commands'>, acks: readonly Ack[]): Promise<void> {
  const byStream = new Map<string, Map<number, number>>();
  for (const ack of acks) (byStream.get(ack.streamId) ?? byStream.set(ack.streamId, new Map()).get(ack.streamId)!).set(ack.version, ack.position);
  const confirmedCommands = new Set<string>();
  for (const [streamId, positions] of byStream) {
    const head = await t.streams.get(streamId);
    if (!head) continue;
    const pages = await t.pages.where('[streamId+first]').between([streamId, head.confirmedThrough + 1], [streamId, Infinity]).toArray();
    let confirmedThrough = head.confirmedThrough;
    for (const page of pages) {
      if (!page.events.every((e) => positions.has(e.version))) break;
      page.events = page.events.map((e) => ({ ...e, position: positions.get(e.version)! }));
      page.events.forEach((e) => confirmedCommands.add(e.meta.commandId));
      confirmedThrough = page.last;
      await t.pages.put(page);
    }
    await t.streams.put({ ...head, confirmedThrough });
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
  const pendingPages = await t.pages.where('[streamId+first]').between([streamId, head.confirmedThrough + 1], [streamId, Infinity]).toArray();
  const dropped = pendingPages.flatMap((p) => p.events);
  await t.pages.bulkDelete(pendingPages.map((p) => p.seq!));
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
