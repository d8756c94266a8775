// The page's sync: an engine for the live carts, run with the settings stored in its database and
// started again whenever they change (here or in another tab). The components take what startSync
// returns; none of them starts anything. A sandbox never syncs: for one, the engine is local-only
// whatever the settings say.
import type { Carts } from '../../cart/carts.ts';
import { isSandbox } from '../../cart/database-names.ts';
import { createSyncEngine, listPending, readTarget, saveTarget, SETTINGS_ROWS, type ReadableStatus, type SyncEngine, type SyncEngineOptions, type SyncStatus } from '../../sync/client/index.ts';
import type { KeyValueStorage } from '../device.ts';
import { notePending, notePendingList } from '../lost-database.ts';
import { describeCommand } from './describe.ts';
import { followRejected, type RejectedFollow } from './rejected-follow.ts';
import { checkSettings, defaultUrl, readBackup, readCopy, saveBackup, saveCopy, SYNC_SETTINGS_KEY, type SyncSettings } from './settings.ts';

export type { SyncSettings } from './settings.ts';

/** A rejected change as the page lists it. */
export interface RejectedItem {
  commandId: string;
  cartId: string;
  /** The cart's name now, or a stand-in when the cart is not on this device. */
  cartName: string;
  /** What the change was, in words. */
  what: string;
  reason: string;
  at: string;
}

export interface SyncController {
  /** The status of whichever engine runs now (Svelte's store contract). */
  readonly status: ReadableStatus;
  readonly settings: () => SyncSettings;
  /** Checks, stores (durably, with the sync state) and applies the settings; resolves with the problem in words, or '' once stored. */
  readonly save: (settings: SyncSettings) => Promise<string>;
  readonly syncNow: () => Promise<SyncStatus>;
  readonly rejected: () => Promise<RejectedItem[]>;
  /** Calls `onChange` with the rejected changes now and after each change to them (also from other tabs); returns a stop. */
  readonly followRejected: (follow: RejectedFollow<RejectedItem>) => () => void;
  readonly dismiss: (commandId: string) => Promise<void>;
  readonly stop: () => Promise<void>;
}

export interface StartSyncOptions {
  /** Default localStorage (a map for the page's life where the browser refuses it). */
  storage?: KeyValueStorage;
  /** The page's location, for the default server address; default globalThis.location. */
  location?: { origin: string; protocol: string };
  /** Passed to every engine (tests: fetch, locks, timings). */
  engine?: Partial<Omit<SyncEngineOptions, 'carts' | 'url' | 'token'>>;
}

export function startSync(carts: Carts, options: StartSyncOptions = {}): SyncController {
  const storage = options.storage ?? profileStorage();
  const fallbackUrl = defaultUrl(options.location ?? globalThis.location);
  const sandbox = isSandbox(carts.store.name);
  // The database holds the settings (saved with the sync state they key, in one transaction);
  // the profile's copy answers at once while that read is under way, and outlives a database the
  // browser deleted, so the device can restore its carts from the server.
  let current: SyncSettings = sandbox ? { url: '', token: '' } : readCopy(storage, fallbackUrl).settings;

  const listeners = new Set<(status: SyncStatus) => void>();
  let engine!: SyncEngine;
  // Reads only the database (whichever engine runs), so every tab lists the same.
  async function rejected(): Promise<RejectedItem[]> {
    const rows = await engine.rejected();
    const views = await Promise.all(rows.map((row) => carts.view(row.cartId)));
    return rows.map((row, i) => ({
      commandId: row.commandId,
      cartId: row.cartId,
      cartName: views[i]?.name ?? 'a cart no longer on this device',
      what: describeCommand(row.command),
      reason: row.reason,
      at: row.at,
    }));
  }
  let unfollow = () => {};
  // What a database the browser deletes would take with it, kept in the profile's storage for
  // the lost-database notice: the count at once, the first changes in words a moment later (a
  // read of the outbox, not one per command).
  let listing: ReturnType<typeof setTimeout> | undefined;
  function notePendingChanges(status: SyncStatus) {
    const pending = status.state === 'local-only' ? undefined : status.pending;
    notePending(storage, pending);
    clearTimeout(listing);
    if (!pending) return notePendingList(storage, []);
    listing = setTimeout(() => void describePending().then((words) => notePendingList(storage, words), () => {}), PENDING_LIST_DELAY_MS);
  }
  async function describePending(): Promise<string[]> {
    const changes = await listPending(carts.store, PENDING_LISTED);
    const views = await Promise.all(changes.map((change) => carts.view(change.cartId)));
    return changes.map((change, i) => `${views[i]?.name ?? 'A cart'}: ${describeCommand(change.command)}`);
  }

  function create() {
    engine = createSyncEngine({ ...options.engine, carts, ...current });
    unfollow = engine.status.subscribe((status) => {
      if (!sandbox) notePendingChanges(status);
      listeners.forEach((listener) => listener(status));
    });
  }
  let stopped = false;
  async function replaceEngine() {
    unfollow();
    await engine.stop();
    if (stopped) return;
    create();
    engine.start();
  }
  // Restarts queue up, so two quick saves end with the last settings running.
  let restarting: Promise<void> = Promise.resolve();
  const restart = () => (restarting = restarting.then(replaceEngine));

  /**
   * The stored settings are the truth, and the engine starts once they are read — unless the
   * profile's copy was written by someone else (a previous release kept its settings there
   * alone; a database the browser recreated has none): then the copy moves into the database,
   * and the device stays set up.
   */
  async function adoptStored(): Promise<void> {
    const [stored, copy] = [await readTarget(carts.store), readCopy(storage, fallbackUrl)];
    // No settings in the database and none in localStorage: both may have gone with a damaged disk.
    const kept = !stored && !copy.settings.token ? await readBackup() : undefined;
    let settings = stored ? { url: stored.url, token: stored.token } : (kept ?? copy.settings);
    if ((!stored && settings.token) || (stored && copy.foreign && !sameSettings(copy.settings, settings))) {
      if (stored) settings = copy.settings;
      await saveTarget(carts.store, settings);
      void saveBackup(settings);
    }
    if (stored || settings.token) saveCopy(storage, settings);
    if (sameSettings(settings, current)) return engine.start();
    current = settings;
    await replaceEngine(); // already in the queue of restarts
  }

  create();
  if (sandbox) engine.start();
  else
    restarting = adoptStored().catch(() => {
      // The database cannot be read: sync runs on the profile's copy, as before.
      engine.start();
    });
  // Another tab saved settings: follow them (the change feed names the settings' rows).
  const unsubscribe = sandbox
    ? () => {}
    : carts.store.subscribe((change) => {
        if (change.origin === 'remote' && change.rows.includes(SETTINGS_ROWS)) restarting = restarting.then(adoptStored).catch(() => {});
      });

  return {
    status: {
      get: () => engine.status.get(),
      subscribe(listener) {
        listeners.add(listener);
        listener(engine.status.get());
        return () => listeners.delete(listener);
      },
    },
    settings: () => current,
    async save(input) {
      const checked = checkSettings(input);
      if (!checked.ok) return checked.message;
      try {
        await saveTarget(carts.store, checked.settings);
      } catch (error) {
        return `The settings could not be stored on this device: ${error instanceof Error ? error.message : String(error)}`;
      }
      current = checked.settings;
      saveCopy(storage, checked.settings);
      void saveBackup(checked.settings);
      await restart();
      return '';
    },
    syncNow: async () => {
      await restarting;
      return engine.syncNow();
    },
    rejected,
    followRejected: (follow) => followRejected(carts.store, rejected, follow),
    dismiss: (commandId) => engine.dismiss(commandId),
    async stop() {
      stopped = true;
      clearTimeout(listing);
      unsubscribe();
      await restarting;
      unfollow();
      await engine.stop();
    },
  };
}

const sameSettings = (a: SyncSettings, b: SyncSettings) => a.url === b.url && a.token === b.token;
/** How many waiting changes the lost-database notice would list, and how long after a change they are read. */
const PENDING_LISTED = 5;
const PENDING_LIST_DELAY_MS = 1000;

function profileStorage(): KeyValueStorage {
  try {
    localStorage.getItem(SYNC_SETTINGS_KEY);
    return localStorage;
  } catch {
    const map = new Map<string, string>();
    return { getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value) };
  }
}
