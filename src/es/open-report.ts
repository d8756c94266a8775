// What the browser says as it opens a database and Dexie does not pass on: whether this open
// created it (nothing of that name was there), and whether the browser threw away what was there
// (Chromium deletes a store it finds corrupt, recreates it empty and says so with `dataLoss`
// "total" in upgradeneeded). An empty database is then no proof of an empty profile: the page
// says what happened instead of showing an empty cart.
//
// And the refusal Dexie lacks: asked for a version lower than the stored one, Dexie 4 opens the
// database anyway at the stored version (VersionError, then an open without a version). Code
// older than the database would then write rows whose meaning moved on (the previous release
// wrote heads the newer one's indexes did not know): it opens nothing instead. What is refused is
// the version found, not the versionless open: WebKit makes Dexie open so at times on a database
// of the code's own version (a fresh profile, the page's early open still upgrading it), and
// refusing those showed a fresh device "a newer version was used here".
import type { Dexie } from 'dexie';
import { NewerDatabaseError } from './errors.ts';
import { NATIVE_VERSION } from './schema.ts';

export interface OpenReport {
  /** An open created the database: none of that name was there (or the browser deleted it). */
  created: boolean;
  /** The browser's word that it deleted what the database held, when it said so. */
  dataLoss?: { kind: string; message: string } | undefined;
}

const reports = new Map<string, OpenReport>();

/** Keeps what an `upgradeneeded` of `name`'s open says (early-open.ts and the store's own opens). */
export function noteUpgrade(name: string, event: Event): void {
  const e = event as IDBVersionChangeEvent & { dataLoss?: string; dataLossMessage?: string };
  const was = reports.get(name);
  const lost = e.dataLoss && e.dataLoss !== 'none' ? { kind: e.dataLoss, message: e.dataLossMessage ?? '' } : undefined;
  reports.set(name, { created: !!was?.created || e.oldVersion === 0, dataLoss: was?.dataLoss ?? lost });
}

/** What the opens of `name` said since the last call (nothing: it existed and lost nothing). */
export function takeReport(name: string): OpenReport {
  const report = reports.get(name) ?? { created: false };
  reports.delete(name);
  return report;
}

/** `base` with its `open` replaced: the rest is the browser's. */
export function withOpen(base: IDBFactory, open: (name: string, version?: number) => IDBOpenDBRequest): IDBFactory {
  const factory = {
    open,
    deleteDatabase: (name: string) => base.deleteDatabase(name),
    cmp: (a: unknown, b: unknown) => base.cmp(a, b),
    // Dexie keeps a list of names of its own where the browser cannot list its databases.
    ...(typeof base.databases === 'function' ? { databases: () => base.databases() } : {}),
  };
  return factory as IDBFactory;
}

/**
 * The factory the store's Dexie opens `name` with: every open is heard (noteUpgrade), and an open
 * at a version above the code's is refused — Dexie's patch of a newer database it opened without
 * a version (to add what its schema has and the database lacks) would change that database.
 */
export function reportingFactory(name: string, base: IDBFactory): IDBFactory {
  return withOpen(base, (openName, version) => {
    if (openName === name && version !== undefined && version > NATIVE_VERSION) throw new NewerDatabaseError();
    const request = version === undefined ? base.open(openName) : base.open(openName, version);
    if (openName === name) request.addEventListener('upgradeneeded', (event) => noteUpgrade(name, event));
    return request;
  });
}

/** Right after the open, before anything reads or writes: a database newer than this code is closed and refused. */
export function refuseNewer(db: Dexie): void {
  if (db.backendDB().version <= NATIVE_VERSION) return;
  db.close();
  throw new NewerDatabaseError();
}
