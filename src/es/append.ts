// Appending: the single-stream append of the command path (expected version, idempotent
// retries, snapshot, inline projections) and the bulk append of import and sync pull (pages of
// many events, many streams). Both run inside a transaction the store opened.
import type { Snapshot, StreamHead, Tables } from './db.ts';
import type { EventEnvelope, NewEvent } from './envelope.ts';
import { jsonEqual } from './equal.ts';
import { ConcurrencyError, IdConflictError, InvalidEventError, type ExpectedVersion } from './errors.ts';
import { paginate, readStreamRange, toPage } from './pages.ts';
import type { Projection } from './projection.ts';
import { project, type KnownRows } from './projector.ts';
import type { Upcast } from './upcast.ts';
import { checkEnvelope, type DataValidator } from './validate.ts';

export interface AppendConfig {
  inline: readonly Projection[];
  upcast: Upcast;
  validateData: DataValidator | undefined;
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
  snapshot: Snapshot | undefined,
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
  const newHead: StreamHead = { ...head, streamId, version, confirmedThrough: head?.confirmedThrough ?? 0 };
  if (snapshot) newHead.snapshot = snapshot;
  heads.set(streamId, newHead);
  // The projection's writes are the last ones issued; then the transaction may commit at once.
  await Promise.all([t.pages.add(toPage(envelopes)), t.streams.put(newHead), project(t, inline, envelopes.map(upcast), rows, commit)]);
  touched.add(streamId);
  return { version, events: envelopes, duplicate: false };
}


/** Appends full envelopes (with versions) of many streams, in pages; exact retries are skipped. */
export async function appendBulkIn(t: Tables, config: AppendConfig, events: readonly EventEnvelope[]): Promise<BulkResult & { streamIds: string[] }> {
  const byStream = new Map<string, EventEnvelope[]>();
  for (const event of events) {
    const list = byStream.get(event.streamId) ?? [];
    list.push(event);
    byStream.set(event.streamId, list);
  }
  let skipped = 0;
  const fresh: EventEnvelope[] = [];
  const streamIds = [...byStream.keys()];
  const heads = await t.streams.bulkGet(streamIds);
  const pages = [];
  const newHeads: StreamHead[] = [];
  for (const [i, streamId] of streamIds.entries()) {
    const head = heads[i];
    const current = head?.version ?? 0;
    const list = byStream.get(streamId)!;
    const old = list.filter((e) => e.version <= current);
    if (old.length && !(await findRetry(t, streamId, old))) throw new ConcurrencyError(streamId, old[0]!.version - 1, current);
    skipped += old.length;
    const news = list.slice(old.length);
    if (news.length === 0) continue;
    news.forEach((e, j) => {
      if (e.version !== current + 1 + j) throw new ConcurrencyError(streamId, e.version - 1, current + j);
    });
    let confirmedThrough = head?.confirmedThrough ?? 0;
    for (const e of news) if (e.position !== undefined && e.version === confirmedThrough + 1) confirmedThrough++;
    pages.push(...paginate(news));
    newHeads.push({ ...head, streamId, version: news[news.length - 1]!.version, confirmedThrough });
    fresh.push(...news);
  }
  await Promise.all([t.pages.bulkAdd(pages), t.streams.bulkPut(newHeads), project(t, config.inline, fresh.map(config.upcast))]);
  return { appended: fresh.length, skipped, streamIds: [...new Set(fresh.map((e) => e.streamId))] };
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

