// The page's first open of its database, sent as its script starts: the browser opens the database
// (~17 ms on the bench machine) while the rest of the script (Dexie, Svelte, the views) is still
// being evaluated, instead of after it. The store's Dexie then takes that very request over instead
// of sending its own (factoryFor), and the rows the page shows first are read on the connection the
// moment it opens, beside Dexie's own look at it (takeRead).
//
// Taking a request over is safe only while it has not answered: Dexie sets its handlers on it in
// the same task as it asks for it, and IndexedDB answers in a later task. A request nobody took
// over is closed as it opens, and an upgrade it would start is aborted: a database is only ever
// created or upgraded by the store, which knows its tables.
import type { ProjectionState, StreamHead } from './db.ts';
import { noteUpgrade, withOpen } from './open-report.ts';

/** What was read on the connection the moment it opened, in one read-only transaction. */
export interface EarlyRead {
  projections: ProjectionState[];
  /** The heads of the streams asked for, by id; undefined where there is none. */
  heads: ReadonlyMap<string, StreamHead | undefined>;
  /** The last page's `seq` (0: no page): how far the log goes, for the store's check of its head marks. */
  lastSeq: number;
}

interface EarlyOpen {
  version: number;
  request: IDBOpenDBRequest;
  taken: boolean;
  read?: Promise<EarlyRead | undefined>;
}

const opens = new Map<string, EarlyOpen>();

/**
 * Starts opening `name` at native `version`, and reading the heads of `streamIds` once it is
 * open, for the store that will take it over. Does nothing where IndexedDB refuses (no IndexedDB,
 * some private modes): the store then opens as usual and says why it cannot.
 */
export function openEarly(name: string, version: number, streamIds: readonly string[]): void {
  if (opens.has(name) || typeof indexedDB === 'undefined') return;
  let request: IDBOpenDBRequest;
  try {
    request = indexedDB.open(name, version);
  } catch {
    return;
  }
  const early: EarlyOpen = { version, request, taken: false };
  opens.set(name, early);
  // These listeners were added before the store's handlers: they run first.
  request.addEventListener('upgradeneeded', (event) => {
    // Said once, by the open that found the damage: kept even when this open is aborted below.
    noteUpgrade(name, event);
    if (!early.taken) request.transaction?.abort();
  });
  request.addEventListener('success', () => {
    if (!early.taken) {
      opens.delete(name);
      request.result.close();
    } else early.read = readHeads(request.result, streamIds);
  });
  request.addEventListener('error', (event) => {
    if (early.taken) return;
    opens.delete(name);
    event.preventDefault(); // our own abort, or a refusal the store will meet and report itself
  });
}

/**
 * The IndexedDB factory for a Dexie database named `name`: the browser's, except that its open of
 * the early request's version is that request, while it has not answered. Undefined when there is
 * no early open of `name`: the browser's factory as it is.
 */
export function factoryFor(name: string): IDBFactory | undefined {
  const early = opens.get(name);
  if (!early || early.taken) return undefined;
  const browser = indexedDB;
  return withOpen(browser, (openName, version) => {
    const take = openName === name && version === early.version && !early.taken && early.request.readyState === 'pending';
    if (!take) return version === undefined ? browser.open(openName) : browser.open(openName, version);
    early.taken = true;
    return early.request;
  });
}

/** The early read of `name`'s taken-over open, once (the store's first open); else undefined. */
export function takeRead(name: string): Promise<EarlyRead | undefined> | undefined {
  const early = opens.get(name);
  if (!early?.taken) return undefined;
  opens.delete(name);
  return early.read;
}

function readHeads(db: IDBDatabase, streamIds: readonly string[]): Promise<EarlyRead | undefined> {
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(['projections', 'streams', 'pages'], 'readonly');
      const projections = tx.objectStore('projections').getAll() as IDBRequest<ProjectionState[]>;
      const last = tx.objectStore('pages').openKeyCursor(null, 'prev');
      const streams = tx.objectStore('streams');
      const heads = streamIds.map((id) => streams.get(id) as IDBRequest<StreamHead | undefined>);
      // A transaction answers its requests in order, and what a read-only one answers is one
      // snapshot: the rows are used as the last answer arrives, not at the transaction's complete.
      (heads.at(-1) ?? last).addEventListener('success', () =>
        resolve({
          projections: projections.result,
          heads: new Map(streamIds.map((id, i) => [id, heads[i]!.result])),
          lastSeq: Number(last.result?.primaryKey ?? 0),
        }),
      );
      tx.addEventListener('abort', () => resolve(undefined));
    } catch {
      resolve(undefined); // not the tables the store expects: it reads them itself
    }
  });
}
