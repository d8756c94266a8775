// The page's sync: an engine for the live carts, run with this profile's settings and started
// again whenever they change (here or in another tab). The components take what startSync
// returns; none of them starts anything. A sandbox never syncs: for one, the engine is local-only
// whatever the settings say.
import type { Carts } from '../../cart/carts.ts';
import { isSandbox } from '../../cart/database-names.ts';
import { createSyncEngine, type ReadableStatus, type SyncEngine, type SyncEngineOptions, type SyncStatus } from '../../sync/client/index.ts';
import type { KeyValueStorage } from '../device.ts';
import { describeCommand } from './describe.ts';
import { followRejected, type RejectedFollow } from './rejected-follow.ts';
import { checkSettings, defaultUrl, readSettings, saveSettings, SYNC_SETTINGS_KEY, type SyncSettings } from './settings.ts';

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
  /** Checks, stores and applies the settings; resolves with the problem in words, or '' when saved. */
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
  const settings = () => readSettings(storage, fallbackUrl);

  const listeners = new Set<(status: SyncStatus) => void>();
  let engine: SyncEngine;
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
  function run() {
    const { url, token } = sandbox ? { url: '', token: '' } : settings();
    engine = createSyncEngine({ ...options.engine, carts, url, token });
    unfollow = engine.status.subscribe((status) => listeners.forEach((listener) => listener(status)));
    engine.start();
  }
  // Restarts queue up, so two quick saves end with the last settings running.
  let restarting: Promise<void> = Promise.resolve();
  const restart = () =>
    (restarting = restarting.then(async () => {
      unfollow();
      await engine.stop();
      run();
    }));

  const onStorage = (event: StorageEvent) => {
    if (event.key === SYNC_SETTINGS_KEY) void restart();
  };
  const events = typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : undefined;
  events?.addEventListener('storage', onStorage);
  run();

  return {
    status: {
      get: () => engine.status.get(),
      subscribe(listener) {
        listeners.add(listener);
        listener(engine.status.get());
        return () => listeners.delete(listener);
      },
    },
    settings,
    async save(input) {
      const checked = checkSettings(input);
      if (!checked.ok) return checked.message;
      saveSettings(storage, checked.settings);
      await restart();
      return '';
    },
    syncNow: () => engine.syncNow(),
    rejected,
    followRejected: (follow) => followRejected(carts.store, rejected, follow),
    dismiss: (commandId) => engine.dismiss(commandId),
    async stop() {
      events?.removeEventListener('storage', onStorage);
      await restarting;
      unfollow();
      await engine.stop();
    },
  };
}

function profileStorage(): KeyValueStorage {
  try {
    localStorage.getItem(SYNC_SETTINGS_KEY);
    return localStorage;
  } catch {
    const map = new Map<string, string>();
    return { getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value) };
  }
}
