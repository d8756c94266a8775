// The event store: a log of streams in one IndexedDB database, with inline read models updated
// in the append's own transaction. It knows nothing of carts; domains plug in projections,
// upcasters and a payload validator.
import { Dexie, type Collection } from 'dexie';
import {
  appendBulkIn,
  appendToStreamIn,
  createHeadCache,
  validate,
  type AppendConfig,
  type AppendResult,
  type BulkResult,
} from './append.ts';
import { createChangeFeed, type ChangeListener } from './changes.ts';
import { takeRead, type EarlyRead } from './early-open.ts';
import { createDb, inTransaction, type CartlogDb, type Durability, type EventPage, type Snapshot, type StreamHead, type TableName, type Tables } from './db.ts';
import type { EventEnvelope, NewEvent } from './envelope.ts';
import { ConnectionLostError, DatabaseUpgradedError, type ExpectedVersion } from './errors.ts';
import { createGuard } from './guard.ts';
import { catchUpMarks, checkedThrough, lastSeq, markChecked } from './head-check.ts';
import { refuseNewer, takeReport, type OpenReport } from './open-report.ts';
import { readStreamRange } from './pages.ts';
import { checkDerivedOrder, withRelated, type ProjectionSpec } from './projection.ts';
import { createAsyncProjector, rebuild, rebuildIn, resetAsyncIn, rowId, rowsOf, type AsyncProjector, type KnownRows } from './projector.ts';
import { inHead, knowHeadRows } from './head-rows.ts';
import { createUpcast, type Upcaster } from './upcast.ts';
import { confirm, readOutbox, rebaseStream, unconfirmStreams, type Ack } from './upstream.ts';
import type { DataValidator } from './validate.ts';

export type { AppendResult, BulkResult } from './append.ts';

export interface BulkOptions {
  /**
   * The caller already ran every event through the same checks (checkEnvelope with this store's
   * validator) — the export-file reader does, before anything is written — so they are not run twice.
   */
  validated?: boolean;
  /**
   * Writes that must commit with these events, in their transaction (sync: the pull cursor past
   * them — one commit per page instead of two, and no window where one is on disk without the other).
   */
  alongside?: (tables: Tables) => Promise<unknown>;
}

const CATCH_UP_DELAY_MS = 100;

export interface EventStoreOptions {
  /** The IndexedDB database name: another name is another, independent store (e.g. a sandbox). */
  name: string;
  projections?: readonly ProjectionSpec<any>[];
  upcasters?: readonly Upcaster[];
  /** Checks each event's payload (and that its type and schemaVersion are known). */
  validateData?: DataValidator;
  /** Default 'strict': an acknowledged write is on disk (see Durability). */
  durability?: Durability;
  /**
   * Read-model rows the caller needs first (the page: the cart it shows), read in the same
   * transaction as the open's check of the projections' versions, so they cost no round trip of
   * their own: see EventStore.rowsAtOpen.
   */
  readAtOpen?: readonly (readonly [projection: string, key: string])[];
}

export interface TransactOptions<T> {
  /**
   * The connection dropped under the transaction, so whether it committed is unknown: after
   * reopening, this runs instead, once. It must find out first whether the first try committed
   * (e.g. look its command id up) and write nothing again if so. Without it, nothing is retried.
   */
  retry?: (tx: StoreTransaction) => Promise<T>;
}

export interface LogPage {
  events: EventEnvelope[];
  /** Pass as `after` to read on. */
  cursor: number;
  done: boolean;
}

/** What work running inside `store.transact` can do; everything commits or nothing does. */
export interface StoreTransaction {
  /** Tables bound to this transaction (use these, not the db's, inside it). */
  tables: Tables;
  head: (streamId: string) => Promise<StreamHead | undefined>;
  /** Reads the stream's head and its stream-keyed read-model rows in one round trip, for a later append. */
  prefetch: (streamId: string) => Promise<StreamHead | undefined>;
  readStream: (streamId: string, from?: number, to?: number) => Promise<EventEnvelope[]>;
  /** A read-model row as this transaction left it (after an append), if it read or wrote it. */
  written: (projection: string, key: string) => unknown;
  /**
   * This transaction wrote rows of the read model `projection` itself (through `tables`, not by
   * appending): subscribers are told after the commit, here and in other tabs (Change.rows).
   */
  wroteRows: (projection: string) => void;
  /**
   * This transaction rewrote these streams' heads or pages itself (through `tables`: sync's
   * marks, healing's unconfirm): subscribers are told after the commit, as for an append.
   */
  wroteStreams: (streamIds: readonly string[]) => void;
  append: (
    streamId: string,
    events: readonly NewEvent[],
    options?: {
      expectedVersion?: ExpectedVersion;
      /** The decider's state after these events; null: the head keeps none (a stale one is dropped). */
      snapshot?: Snapshot | null;
      /** Nothing follows in this transaction: commit as soon as the writes are issued. */
      last?: boolean;
    },
  ) => Promise<AppendResult>;
}

export interface EventStore {
  readonly name: string;
  readonly db: CartlogDb;
  /**
   * The values of the rows asked for with readAtOpen, in that order (undefined where there is
   * none), as stored when the store opened — after any rebuild the open did. A snapshot, not
   * followed: a change after the open is told by subscribe like any other.
   */
  readonly rowsAtOpen: readonly unknown[];
  /**
   * What the browser said as the store opened its database (open-report.ts): whether this open
   * created it, and whether the browser first deleted what was there (`dataLoss`).
   */
  readonly found: OpenReport;
  appendToStream: (streamId: string, events: readonly NewEvent[], options?: { expectedVersion?: ExpectedVersion }) => Promise<AppendResult>;
  /** Bulk path (import, sync pull): full envelopes with versions, written in pages. */
  appendBulk: (events: readonly EventEnvelope[], options?: BulkOptions) => Promise<BulkResult>;
  readStream: (streamId: string, range?: { from?: number; to?: number }) => Promise<EventEnvelope[]>;
  /** The whole log in local (commit) order, a page at a time. */
  readLog: (options?: { after?: number; limit?: number }) => Promise<LogPage>;
  readByType: (type: string, options?: { after?: number; limit?: number }) => Promise<LogPage>;
  streamVersion: (streamId: string) => Promise<number>;
  getRow: <Row>(projection: string, key: string) => Promise<Row | undefined>;
  /** The rows of `projection` under `keys`, in their order (undefined where there is none). */
  getRows: <Row>(projection: string, keys: readonly string[]) => Promise<(Row | undefined)[]>;
  listRows: <Row>(projection: string) => Promise<Row[]>;
  transact: <T>(work: (tx: StoreTransaction) => Promise<T>, options?: TransactOptions<T>) => Promise<T>;
  /**
   * Runs reads, or writes that are harmless to repeat, on the database; if the browser dropped
   * the connection, it is reopened and `work` runs once more. (Sync's cursor and marks use this.)
   */
  use: <T>(work: (db: CartlogDb) => Promise<T>) => Promise<T>;
  /** Called after every commit, here or in another tab. */
  subscribe: (listener: ChangeListener) => () => void;
  /** Called when another tab upgraded the database and this connection had to close. */
  onUpgraded: (listener: (error: DatabaseUpgradedError) => void) => () => void;
  /**
   * Called when the browser dropped this tab's connection and reopening it and trying once more
   * failed too (twice in a row): the app should offer a reload. A single drop is healed silently.
   */
  onConnectionLost: (listener: (error: ConnectionLostError) => void) => () => void;
  /** Rebuilds every projection from the log; returns the number of events folded. */
  rebuildProjections: () => Promise<number>;
  /** Brings async projections up to date; `lag` says how far behind one is, in events. */
  catchUp: () => Promise<void>;
  lag: (projection: string) => Promise<number>;
  metrics: { eventsRead: number };
  /** Sync: pending events to push (whole pages, about `limit`), streams marked foreign (and `skip`) left out. */
  outbox: (limit?: number, skip?: ReadonlySet<string>) => Promise<EventEnvelope[]>;
  /** Sync: the server stored these events at these positions. */
  confirm: (acks: readonly Ack[]) => Promise<void>;
  /** Sync: replaces the stream's pending tail with confirmed upstream events; returns what was dropped. */
  rebase: (streamId: string, upstream: readonly EventEnvelope[]) => Promise<EventEnvelope[]>;
  /**
   * Sync healing: every event of the selected streams turns pending again (positions removed),
   * together with `alongside`'s writes (e.g. the marker that healing is under way) in one transaction.
   */
  unconfirm: (select: (head: StreamHead) => boolean, alongside?: (tables: Pick<Tables, 'streams' | 'pages' | 'readModels'>) => Promise<unknown>) => Promise<void>;
  /** Sync: this stream belongs to another account and must never be pushed. */
  markForeign: (streamId: string, reason: string) => Promise<void>;
  close: () => void;
}

export async function openEventStore(options: EventStoreOptions): Promise<EventStore> {
  const db = createDb(options.name, options.durability);
  const upcast = createUpcast(options.upcasters ?? []);
  const inline = (options.projections ?? []).filter((p) => p.mode !== 'async');
  const asyncSpecs = (options.projections ?? []).filter((p) => p.mode === 'async');
  // A derived projection is folded right after its source, in the same transaction: both inline.
  checkDerivedOrder(inline);
  for (const p of asyncSpecs) checkDerivedOrder([p]);
  // Where each projection's rows are: the inline ones keyed by stream in the heads (head-rows.ts).
  const headed = inline.filter(inHead);
  const headedNames = new Set(headed.map((p) => p.name));
  type RowTables = Pick<Tables, 'streams' | 'readModels'>;
  const readRows = async (t: RowTables, projection: string, keys: readonly string[]): Promise<unknown[]> =>
    headedNames.has(projection)
      ? (await t.streams.bulkGet([...keys])).map((head) => head?.rows?.[projection])
      : (await t.readModels.bulkGet(keys.map((key) => [projection, key] as [string, string]))).map((row) => row?.value);
  const changes = createChangeFeed(options.name);
  const upgradedListeners = new Set<(error: DatabaseUpgradedError) => void>();
  const lostListeners = new Set<(error: ConnectionLostError) => void>();
  const metrics = { eventsRead: 0 };
  let upgraded = false;
  let closed = false;

  // Another tab wants a newer schema: close cleanly so it can proceed, and tell the app.
  db.on('versionchange', () => {
    upgraded = true;
    db.close();
    const error = new DatabaseUpgradedError();
    upgradedListeners.forEach((listener) => listener(error));
    return false;
  });

  const { guarded } = createGuard({
    db,
    upgraded: () => upgraded,
    closed: () => closed,
    onLost: (error) => lostListeners.forEach((listener) => listener(error)),
  });

  async function readStream(t: Pick<Tables, 'pages'>, streamId: string, from = 1, to = Number.MAX_SAFE_INTEGER): Promise<EventEnvelope[]> {
    const events = await readStreamRange(t, streamId, from, to);
    metrics.eventsRead += events.length;
    return events.map(upcast);
  }

  const writeTables: TableName[] = ['pages', 'streams', 'readModels', 'commands'];
  const appendConfig: AppendConfig = { inline, upcast, validateData: options.validateData };

  async function transact<T>(work: (tx: StoreTransaction) => Promise<T>, transactOptions: TransactOptions<T> = {}): Promise<T> {
    const touched = new Set<string>();
    const rowsWritten = new Set<string>();
    const { retry } = transactOptions;
    const result = await guarded(() => attempt(work, touched, rowsWritten), retry ? () => attempt(retry, touched, rowsWritten) : null);
    changes.publish([...touched], [...rowsWritten]);
    return result;
  }

  function attempt<T>(work: (tx: StoreTransaction) => Promise<T>, touched: Set<string>, rowsWritten: Set<string>): Promise<T> {
    return inTransaction(db, 'rw', writeTables, (t, commit) => {
      const heads = createHeadCache(t);
      const rows: KnownRows = new Map();
      return work({
        tables: t,
        head: heads.get,
        async prefetch(streamId) {
          const head = await heads.get(streamId);
          knowHeadRows(rows, headed, streamId, head);
          return head;
        },
        readStream: (streamId, from, to) => readStream(t, streamId, from, to),
        written: (projection, key) => rows.get(rowId(projection, key)),
        wroteRows: (projection) => void rowsWritten.add(projection),
        wroteStreams: (streamIds) => streamIds.forEach((id) => touched.add(id)),
        append: (streamId, events, opts) =>
          appendToStreamIn(
            t,
            appendConfig,
            { heads, rows, touched, ...(opts?.last ? { commit } : {}) },
            streamId,
            events,
            opts?.expectedVersion ?? 'any',
            opts?.snapshot,
          ),
      });
    });
  }

  let bulkInFlight = 0;
  const bulkTables: TableName[] = [...writeTables, 'projections'];
  async function appendBulk(events: readonly EventEnvelope[], bulk: BulkOptions = {}): Promise<BulkResult> {
    bulkInFlight++;
    try {
      // Every event is checked before anything is written, while the transaction reads the heads and rows.
      const check = bulk.validated ? undefined : () => validate(events, options.validateData);
      const result = await guarded(() =>
        inTransaction(db, 'rw', bulkTables, async (t) => {
          // The heads written since the marks were last checked are checked first, so the
          // record can move past this write's own pages (head-check.ts).
          const remarked = await catchUpMarks(t);
          const result = await appendBulkIn(t, appendConfig, events, check);
          await bulk.alongside?.(t);
          await markChecked(t, await lastSeq(t));
          return { ...result, streamIds: [...new Set([...remarked, ...result.streamIds])] };
        }),
      );
      changes.publish(result.streamIds);
      return { appended: result.appended, skipped: result.skipped };
    } finally {
      bulkInFlight--;
    }
  }

  async function readPages(collection: Collection<EventPage, number>, limit: number, filter?: (e: EventEnvelope) => boolean): Promise<LogPage> {
    const pages = await collection.limit(limit).toArray();
    const events: EventEnvelope[] = [];
    for (const page of pages) for (const event of page.events) if (!filter || filter(event)) events.push(upcast(event));
    metrics.eventsRead += events.length;
    return { events, cursor: pages.length ? pages[pages.length - 1]!.seq! : 0, done: pages.length < limit };
  }

  const projectors = new Map<string, AsyncProjector>(asyncSpecs.map((p) => [p.name, createAsyncProjector(db, p, upcast)]));
  // Catching up is idempotent (each step moves a checkpoint in its own transaction): safe to retry.
  const catchUp = async () => {
    await Promise.all([...projectors.values()].map((p) => guarded(() => p.catchUp())));
  };

  let marksBehind = false;
  const rowsAtOpen = await guarded(async () => {
    await db.open();
    refuseNewer(db);
    return prepareProjections();
  });
  const found = takeReport(options.name);
  // Heads another release wrote since the marks were last checked get theirs back (head-check.ts),
  // after the first render's reads: sync's outbox waits for it, nothing else does.
  const marksChecked = marksBehind
    ? new Promise((settled) => setTimeout(settled, CATCH_UP_DELAY_MS))
        .then(() => (closed ? [] : guarded(() => inTransaction(db, 'rw', ['pages', 'streams', 'projections'], catchUpMarks))))
        .then((streamIds) => streamIds.length && changes.publish(streamIds))
        .catch(() => undefined) // checked again at the next open or bulk write
    : Promise.resolve();
  // Async projections catch up shortly after writes settle, not after each one, and not while
  // an import or pull is still writing: their transactions would queue between its batches.
  let catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleCatchUp = () => {
    if (projectors.size === 0) return;
    clearTimeout(catchUpTimer);
    catchUpTimer = setTimeout(() => (bulkInFlight ? scheduleCatchUp() : void catchUp().catch(() => {})), CATCH_UP_DELAY_MS);
  };
  changes.subscribe(scheduleCatchUp);
  scheduleCatchUp();

  /**
   * Read models whose code version moved are rebuilt from the log before anyone reads them. The
   * rows asked for at open are read beside the versions, in one read-only transaction; they are
   * read again only when something was rebuilt or reset, since that rewrote them.
   */
  async function prepareProjections(): Promise<unknown[]> {
    const wanted = options.readAtOpen ?? [];
    const readWanted = (t: RowTables) => Promise.all(wanted.map(async ([projection, key]) => (await readRows(t, projection, [key]))[0]));
    const [states, rows, last] =
      (await fromEarlyRead(takeRead(options.name), wanted)) ??
      (await inTransaction(db, 'r', ['projections', 'streams', 'readModels', 'pages'], (t) => Promise.all([t.projections.toArray(), readWanted(t), lastSeq(t)])));
    marksBehind = last > checkedThrough(states);
    const stored = new Map(states.map((p) => [p.name, p.version]));
    const stale = withRelated(inline.filter((p) => stored.get(p.name) !== p.version), inline);
    const reset = asyncSpecs.filter((p) => stored.get(p.name) !== p.version);
    if (stale.length) await rebuild(db, stale, upcast);
    for (const p of reset) await inTransaction(db, 'rw', ['readModels', 'projections'], (t) => resetAsyncIn(t, [p]));
    return stale.length || reset.length ? readWanted(db) : rows;
  }

  /** The versions and rows the page's early open read (early-open.ts), when it read every row wanted. */
  async function fromEarlyRead(read: Promise<EarlyRead | undefined> | undefined, wanted: readonly (readonly [string, string])[]) {
    const early = await read;
    if (!early || !wanted.every(([projection, key]) => headedNames.has(projection) && early.heads.has(key))) return undefined;
    return [early.projections, wanted.map(([projection, key]) => early.heads.get(key)?.rows?.[projection]), early.lastSeq] as const;
  }

  return {
    name: options.name,
    db,
    rowsAtOpen,
    found,
    appendToStream: (streamId, events, opts) => transact((tx) => tx.append(streamId, events, { ...opts, last: true })),
    appendBulk,
    readStream: (streamId, range) => guarded(() => readStream(db, streamId, range?.from, range?.to)),
    readLog: ({ after = 0, limit = 100 } = {}) => guarded(() => readPages(db.pages.where('seq').above(after), limit)),
    readByType: (type, { after = 0, limit = 100 } = {}) =>
      guarded(() =>
        readPages(
          db.pages.where('types').equals(type).and((p) => p.seq! > after),
          limit,
          (e) => e.type === type,
        ),
      ),
    streamVersion: (streamId) => guarded(async () => (await db.streams.get(streamId))?.version ?? 0),
    getRow: <Row>(projection: string, key: string) => guarded(async () => (await readRows(db, projection, [key]))[0] as Row | undefined),
    getRows: <Row>(projection: string, keys: readonly string[]) => guarded(async () => (await readRows(db, projection, keys)) as (Row | undefined)[]),
    listRows: <Row>(projection: string) =>
      guarded(async () =>
        headedNames.has(projection)
          ? (await db.streams.toArray()).flatMap((head) => (head.rows?.[projection] === undefined ? [] : [head.rows[projection] as Row]))
          : (await rowsOf(db, projection).toArray()).map((r) => r.value as Row),
      ),
    transact,
    use: (work) => guarded(() => work(db)),
    subscribe: changes.subscribe,
    onUpgraded(listener) {
      upgradedListeners.add(listener);
      return () => upgradedListeners.delete(listener);
    },
    onConnectionLost(listener) {
      lostListeners.add(listener);
      return () => lostListeners.delete(listener);
    },
    rebuildProjections: () => guarded(() => rebuild(db, inline, upcast)),
    catchUp,
    lag: (name) => projectors.get(name)?.lag() ?? Promise.resolve(0),
    metrics,
    outbox: (limit = 500, skip) => marksChecked.then(() => guarded(() => inTransaction(db, 'r', ['streams', 'pages'], (t) => readOutbox(t, limit, skip)))),
    async confirm(acks) {
      await guarded(() => inTransaction(db, 'rw', ['streams', 'pages', 'commands'], (t) => confirm(t, acks)));
      changes.publish([...new Set(acks.map((a) => a.streamId))]);
    },
    async rebase(streamId, upstream) {
      // Read models not keyed by stream, and async ones, may hold the dropped events' effects:
      // they are refolded (or reset) in the rebase's own transaction, so a tab that dies right
      // after it cannot leave them counting events the log no longer has. Not retried on a
      // dropped connection: whether it committed is unknown, and the sync pass that asked starts over.
      const wide = inline.filter((p) => !p.byStream);
      const dropped = await guarded(
        () =>
          inTransaction(db, 'rw', ['streams', 'pages', 'readModels', 'projections'], async (t) => {
            const dropped = await rebaseStream(t, inline, streamId, upstream, upcast);
            if (wide.length) await rebuildIn(t, wide, upcast);
            if (dropped.length && asyncSpecs.length) await resetAsyncIn(t, asyncSpecs);
            return dropped;
          }),
        null,
      );
      changes.publish([streamId]);
      return dropped;
    },
    async unconfirm(select, alongside) {
      // Idempotent (a second run finds nothing confirmed): safe to retry on a dropped connection.
      const streamIds = await guarded(() =>
        inTransaction(db, 'rw', ['streams', 'pages', 'readModels'], async (t) => {
          const streamIds = await unconfirmStreams(t, select);
          await alongside?.(t);
          return streamIds;
        }),
      );
      changes.publish(streamIds);
    },
    markForeign: (streamId, reason) =>
      guarded(async () => {
        await db.streams.update(streamId, { foreign: reason });
      }),
    close() {
      closed = true;
      clearTimeout(catchUpTimer);
      changes.close();
      db.close();
    },
  };
}

export async function deleteEventStore(name: string): Promise<void> {
  await Dexie.delete(name);
}
