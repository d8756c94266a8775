// The IndexedDB layout (one Dexie database per store name; a sandbox is simply another name).
//
// Cost in IndexedDB is per transaction and per record, not per byte, so events are stored in
// *pages*: one record holds a run of contiguous events of one stream. The command path writes a
// small page per command (its 1–3 events); bulk paths (import, sync pull, rebuild) write pages of
// up to PAGE_SIZE events, ~40× faster than one record per event. Readers handle both alike.
import { Dexie, type Table, type Transaction } from 'dexie';
import type { EventEnvelope } from './envelope.ts';
import { factoryFor } from './early-open.ts';
import { lastSeq, markChecked } from './head-check.ts';
import { headIndexes, withOutbox } from './head-index.ts';
import { reportingFactory } from './open-report.ts';
import { SCHEMA_VERSION } from './schema.ts';

export const PAGE_SIZE = 100;

export interface EventPage {
  /** Local log order: auto-incremented, so it is the order appends committed in. */
  seq?: number;
  streamId: string;
  /** Versions first..last, contiguous; events[i].version === first + i. */
  first: number;
  last: number;
  /** Distinct event types in the page (multiEntry index: read by type without a per-event index). */
  types: string[];
  events: EventEnvelope[];
}

export interface Snapshot {
  version: number;
  /** The decider's stateVersion when it was taken: another one means refold from the log. */
  stateVersion: number;
  state: unknown;
}

export interface StreamHead {
  streamId: string;
  version: number;
  /** Versions 1..confirmedThrough have server positions; the rest are pending (sync, later). */
  confirmedThrough: number;
  snapshot?: Snapshot;
  /** Why this stream is never pushed (it belongs to another account); absent for our own. Indexed. */
  foreign?: string;
  /** 1 while the stream has pending events, absent otherwise: derived as heads are written, indexed (head-index.ts). */
  outbox?: 1;
  /**
   * The stream's own read-model rows, by projection name: those of inline projections keyed by
   * stream, written with the head in their events' transaction (head-rows.ts).
   */
  rows?: Record<string, unknown>;
}

export interface ReadModelRow {
  projection: string;
  key: string;
  value: unknown;
}

export interface ProjectionState {
  name: string;
  version: number;
  /** Async projections only: the last page `seq` folded in. */
  checkpoint: number;
}

export interface CommandRecord {
  commandId: string;
  streamId: string;
  /** Pending until sync confirms its events; a rebase may re-run a pending command under its own id. */
  status: 'pending' | 'confirmed';
  command: unknown;
  /** Versions it appended; null when it changed nothing. */
  versions: [number, number] | null;
  at: string;
}

export interface Tables {
  pages: Table<EventPage, number>;
  streams: Table<StreamHead, string>;
  readModels: Table<ReadModelRow, [string, string]>;
  projections: Table<ProjectionState, string>;
  commands: Table<CommandRecord, string>;
}

export type CartlogDb = Dexie & Tables;
export type TableName = keyof Tables;

/**
 * Runs `work` in one transaction with tables bound to it explicitly. Dexie's implicit
 * transaction zone is lost across nested native `async` functions (the writes then silently
 * run in transactions of their own, and Dexie reports PrematureCommitError); bound tables
 * cannot fall out of their transaction.
 */
export function inTransaction<T>(
  db: CartlogDb,
  mode: 'r' | 'rw',
  names: readonly TableName[],
  work: (tables: Tables, commit: () => void) => Promise<T>,
): Promise<T> {
  return db.transaction(mode, names as TableName[], (tx: Transaction) => Promise.race([work(bind(tx, names), () => commitEarly(tx)), aborted(tx)]));
}

/**
 * Rejects when the transaction aborts. Dexie settles a transaction only once its work has, and
 * under an abort a request of the work may never answer: Chromium aborting a command's commit for
 * a full disk left a Dexie put pending for good, so the command neither counted nor was refused
 * (test/chaos/full-disk.test.ts stalled at its 118th click in about half the runs). The abort's
 * reason (QuotaExceededError there) reaches the caller instead.
 */
function aborted(tx: Transaction): Promise<never> {
  const idb = tx.idbtrans;
  const abort = new Promise<never>((_, reject) =>
    idb.addEventListener('abort', () => reject(idb.error ?? Object.assign(new Error('The transaction was aborted'), { name: 'AbortError' }))),
  );
  abort.catch(() => undefined); // settled after the work, it is nobody's concern
  return abort;
}

/**
 * Tells IndexedDB that no request follows, so it commits without waiting for the event loop to
 * go idle (~0.3 ms per command). Engines without IDBTransaction.commit() just commit as usual.
 */
function commitEarly(tx: Transaction): void {
  const idb = tx.idbtrans as IDBTransaction & { commit?: () => void };
  idb.commit?.();
}

function bind(tx: Transaction, names: readonly TableName[]): Tables {
  const tables = {} as Record<TableName, Table>;
  for (const name of names) tables[name] = tx.table(name);
  return tables as unknown as Tables;
}

/**
 * How hard a commit waits for the disk. 'strict' (the default here): a command shown as done has
 * been flushed, so a power cut cannot take it back (CONTRACT §5); Chromium's own default is
 * 'relaxed'. Firefox honours the hint, WebKit exposes it. 'relaxed' is for measuring the difference.
 */
export type Durability = 'strict' | 'relaxed' | 'default';

/** The tables and their indexes, in Dexie's notation. */
export const LAYOUT = {
  pages: '++seq, &[streamId+first], *types',
  // Sparse indexes (head-index.ts): the heads with events to push, the heads of another account.
  streams: 'streamId, outbox, foreign',
  // One table for every read model, keyed [projection+key]: a new projection needs no schema
  // change, so the database version only moves when this layout itself does.
  readModels: '[projection+key]',
  projections: 'name',
  commands: 'commandId, streamId',
} as const;

export function createDb(name: string, durability: Durability = 'strict'): CartlogDb {
  // One knob per Dexie instance: every transaction it opens, readwrite or not, carries the hint.
  // The page may have begun opening this database already (early-open.ts): Dexie takes that over.
  // Every open is heard, and one of a database newer than this code refused (open-report.ts).
  const factory = reportingFactory(name, factoryFor(name) ?? indexedDB);
  const db = new Dexie(name, { chromeTransactionDurability: durability, indexedDB: factory }) as CartlogDb;
  // From before 3: every projection is rebuilt as the store opens (its rows move into the heads).
  db.version(3)
    .stores({ ...LAYOUT, streams: 'streamId' })
    .upgrade((tx) => tx.table('projections').clear());
  // From 3: the heads are written once more, so the indexes of head-index.ts hold them.
  db.version(4)
    .stores(LAYOUT)
    .upgrade((tx) =>
      tx
        .table<StreamHead>('streams')
        .toCollection()
        .modify((head, ctx) => void (ctx.value = withOutbox(head))),
    );
  // From 4: the code of 4 kept every head's marks right on its own database, so they are known
  // right through the last page (head-check.ts).
  db.version(SCHEMA_VERSION)
    .stores(LAYOUT)
    .upgrade(async (tx) => {
      const t = { pages: tx.table('pages'), projections: tx.table('projections') } as Pick<Tables, 'pages' | 'projections'>;
      await markChecked(t, await lastSeq(t));
    });
  db.use(headIndexes);
  // No live queries run on this database: pages follow the store's change feed (changes.ts),
  // which names the streams and rows a commit wrote, here and in other tabs. Dexie's own
  // machinery for live queries (the ranges every write touches, broadcast to every tab after
  // each commit, and a query cache) is work on every command for nobody: off.
  db.unuse({ stack: 'dbcore', name: 'Observability' });
  db.unuse({ stack: 'dbcore', name: 'Cache' });
  return db;
}
