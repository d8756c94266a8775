// Appending: the single-stream append of the command path (expected version, idempotent
// retries, snapshot, inline projections) and the bulk append of import and sync pull (pages of
// many events, many streams). Both run inside a transaction the store opened.
import type { Snapshot, StreamHead, Tables } from './db.ts';
import type { EventEnvelope, NewEvent } from './envelope.ts';
import { jsonEqual } from './equal.ts';
import { ConcurrencyError, IdConflictError, InvalidEventError, type ExpectedVersion } from './errors.ts';
import { paginate, readStreamRange, toPage } from './pages.ts';
import { getMany } from './sparse-get.ts';
import { foldHeadRows, inHead, knowHeadRows, withRows, type KnownRows } from './head-rows.ts';
import type { Projection } from './projection.ts';
import { project } from './projector.ts';
import type { Upcast } from './upcast.ts';
import { checkEnvelope, type DataValidator } from './validate.ts';

export interface AppendConfig {
  inline: readonly Projection[];
  upcast: Upcast;
  validateData: DataValidator | undefined;
}

/** The inline projections whose rows the heads carry, and the others (rows in readModels). */
export function splitInline(inline: readonly Projection[]): { headed: Projection[]; wide: Projection[] } {
  return { headed: inline.filter(inHead), wide: inline.filter((p) => !inHead(p)) };
}

export interface AppendResult {
  /** The stream's version after the append. */
  version: number;
  events: EventEnvelope[];
  /** True when these exact events were already stored (a retry): nothing was written. */
  duplicate: boolean;
}

export interface BulkResult {
  appended: number;
  /** Events already stored with identical content, skipped. */
  skipped: number;
}

/** What one transaction remembers between its appends. */
export interface AppendState {
  heads: HeadCache;
  rows: KnownRows;
  /** Streams written, to tell subscribers after the commit. */
  touched: Set<string>;
  /** Present when nothing follows the append: commit as soon as its writes are issued. */
  commit?: () => void;
}

export function validate(events: readonly EventEnvelope[], validateData: DataValidator | undefined): void {
  events.forEach((event, index) => {
    const problem = checkEnvelope(event, validateData);
    if (problem) throw new InvalidEventError(problem.field, problem.reason, index);
  });
}

/** A retry carries the same stream position as the original, so compare ids there. */
async function findRetry(t: Pick<Tables, 'pages'>, streamId: string, events: readonly EventEnvelope[]): Promise<boolean> {
  const stored = await readStreamRange(t, streamId, events[0]!.version, events[events.length - 1]!.version);
  const sameIds = stored.length === events.length && stored.every((e, i) => e.id === events[i]!.id);
  stored.forEach((e, i) => {
    if (e.id === events[i]?.id && !jsonEqual(e, events[i])) throw new IdConflictError(e.id);
  });
  return sameIds;
}

/** Appends to one stream at an expected version; the command path's append. */
export async function appendToStreamIn(
  t: Tables,
  config: AppendConfig,
  state: AppendState,
  streamId: string,
  newEvents: readonly NewEvent[],
  expected: ExpectedVersion,
  snapshot: Snapshot | null | undefined,
): Promise<AppendResult> {
  const { heads, rows, touched, commit } = state;
  const { inline, upcast } = config;
  const head = await heads.get(streamId);
  const current = head?.version ?? 0;
  const base = expected === 'any' ? current : expected === 'no_stream' ? 0 : expected;
  const envelopes = newEvents.map((e, i) => ({ ...e, streamId, version: base + i + 1 }) as EventEnvelope);
  validate(envelopes, config.validateData);
  if (envelopes.length === 0) return { version: current, events: [], duplicate: false };

  if (current !== base) {
    if (current > base && (await findRetry(t, streamId, envelopes)))
      return { version: current, events: envelopes, duplicate: true };
    throw new ConcurrencyError(streamId, expected, current);
  }
  if (expected === 'any' && current > 0) {
    // Without an expected version a retry lands one past the original: look at the tail.
    const tail = envelopes.map((e, i) => ({ ...e, version: current - envelopes.length + 1 + i }));
    if (tail[0]!.version >= 1 && (await findRetry(t, streamId, tail))) return { version: current, events: tail, duplicate: true };
  }

  const version = base + envelopes.length;
  const events = envelopes.map(upcast);
  const { headed, wide } = splitInline(inline);
  knowHeadRows(rows, headed, streamId, head);
  const newHead: StreamHead = withRows({ ...head, streamId, version, confirmedThrough: head?.confirmedThrough ?? 0 }, foldHeadRows(headed, streamId, events, rows, head?.rows));
  if (snapshot) newHead.snapshot = snapshot;
  else if (snapshot === null) delete newHead.snapshot;
  heads.set(streamId, newHead);
  // The other projections' writes are the last ones issued; then the transaction may commit at once.
  await Promise.all([t.pages.add(toPage(envelopes)), t.streams.put(newHead), project(t, wide, events, rows, commit)]);
  touched.add(streamId);
  return { version, events: envelopes, duplicate: false };
}


/**
 * Appends full envelopes (with versions) of many streams, in pages; exact retries are skipped.
 * The order of requests is the cost here: IndexedDB runs a transaction's requests in order, so a
 * read issued after the page writes waits until the engine has written them all. The stream heads
 * (with the rows they carry, head-rows.ts) are therefore read first, only those stored (getMany:
 * new streams, most of an import or a first sync, cost no request each); the pages are issued
 * next, and the heads' rows are folded while the engine writes those pages.
 */
export async function appendBulkIn(
  t: Tables,
  config: AppendConfig,
  events: readonly EventEnvelope[],
  /** Runs (and may throw) while the reads are under way: the events' validation, off the critical path. */
  whileReading?: () => void,
): Promise<BulkResult & { streamIds: string[] }> {
  // Grouping needs each event's streamId; anything not even shaped like that is left to the check.
  if (whileReading && !events.every((e) => typeof (e as { streamId?: unknown } | null)?.streamId === 'string')) whileReading();
  const byStream = groupByStream(events);
  const streamIds = [...byStream.keys()];
  const reading = getMany(t.streams, streamIds);
  // When the check throws, the transaction aborts under the read: its failure is nobody's then.
  reading.catch(() => undefined);
  whileReading?.();
  const heads = await reading;
  const { headed, wide } = splitInline(config.inline);
  let skipped = 0;
  const fresh: EventEnvelope[] = [];
  const pages = [];
  const newHeads: { head: StreamHead; before: StreamHead | undefined }[] = [];
  const runs = new Map<string, EventEnvelope[]>();
  for (const [i, streamId] of streamIds.entries()) {
    const head = heads[i];
    const current = head?.version ?? 0;
    const list = byStream.get(streamId)!;
    let old = 0;
    while (old < list.length && list[old]!.version <= current) old++;
    if (old && !(await findRetry(t, streamId, list.slice(0, old)))) throw new ConcurrencyError(streamId, list[0]!.version - 1, current);
    skipped += old;
    const news = old ? list.slice(old) : list;
    if (news.length === 0) continue;
    news.forEach((e, j) => {
      if (e.version !== current + 1 + j) throw new ConcurrencyError(streamId, e.version - 1, current + j);
    });
    let confirmedThrough = head?.confirmedThrough ?? 0;
    for (const e of news) if (e.position !== undefined && e.version === confirmedThrough + 1) confirmedThrough++;
    pages.push(...paginate(news));
    newHeads.push({ head: { ...head, streamId, version: news[news.length - 1]!.version, confirmedThrough }, before: head });
    for (const e of news) fresh.push(e);
    runs.set(streamId, news.map(config.upcast));
  }
  // The pages go to the engine first; the heads' rows are folded while it writes them.
  const writingPages = t.pages.bulkAdd(pages);
  const rows: KnownRows = new Map();
  const folded = newHeads.map(({ head, before }) => {
    knowHeadRows(rows, headed, head.streamId, before);
    return withRows(head, foldHeadRows(headed, head.streamId, runs.get(head.streamId)!, rows, before?.rows));
  });
  await Promise.all([
    writingPages,
    t.streams.bulkPut(folded),
    // The same upcast events, stream after stream as `fresh` holds them: upcast once.
    wide.length ? project(t, wide, [...runs.values()].flat()) : undefined,
  ]);
  return { appended: fresh.length, skipped, streamIds: folded.map((h) => h.streamId) };
}

function groupByStream(events: readonly EventEnvelope[]): Map<string, EventEnvelope[]> {
  const byStream = new Map<string, EventEnvelope[]>();
  let list: EventEnvelope[] | undefined;
  let streamId: string | undefined;
  for (const event of events) {
    // Bulk input comes stream after stream: look the list up only when the stream changes.
    if (event.streamId !== streamId) {
      streamId = event.streamId;
      list = byStream.get(streamId);
      if (!list) byStream.set(streamId, (list = []));
    }
    list!.push(event);
  }
  return byStream;
}

/** Stream heads read once per transaction: the command path reads a head, decides, then appends. */
export interface HeadCache {
  get: (streamId: string) => Promise<StreamHead | undefined>;
  set: (streamId: string, head: StreamHead) => void;
}

export function createHeadCache(db: Pick<Tables, 'streams'>): HeadCache {
  const heads = new Map<string, StreamHead | undefined>();
  return {
    async get(streamId) {
      if (!heads.has(streamId)) heads.set(streamId, await db.streams.get(streamId));
      return heads.get(streamId);
    },
    set: (streamId, head) => void heads.set(streamId, head),
  };
}

