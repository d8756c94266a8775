// Where this profile syncs to: the server's address and the token. Without a token sync is off
// and everything stays local. The database holds them (sync/client/target.ts). Two copies live
// outside it, so a database the browser deletes can still be restored from the server:
// - localStorage, read at once as the page starts (the previous release's place and shape);
// - Cache Storage, written only when the settings change. Chromium writes localStorage lazily and
//   keeps it in a LevelDB beside IndexedDB's: a full disk that damages one damages the other, and
//   a browser killed seconds after a write loses it (seen on a full tmpfs). Cache Storage is a
//   store of its own that the page does not write again while the disk is full.
import type { SyncSettings } from '../../sync/client/index.ts';
import type { KeyValueStorage } from '../device.ts';

export type { SyncSettings } from '../../sync/client/index.ts';

export const SYNC_SETTINGS_KEY = 'cartlog:sync';

/**
 * `npm start` serves the app and the API on one origin, so the page's own origin is the likely
 * server; on a static host or `npm run dev` it is only a prefill, and no token means no request.
 */
export function defaultUrl(location: { origin: string; protocol: string } | undefined): string {
  return location && /^https?:$/.test(location.protocol) ? location.origin : '';
}

/** The profile's copy, and whether something other than this release wrote it (see readCopy). */
export interface Copy {
  settings: SyncSettings;
  /**
   * Written by a previous release (which kept the settings here alone) or by hand: it says what
   * the shopper wants now, and moves into the database. A copy this release wrote only mirrors
   * the database, and a database that differs from it is newer (a crash beat the copy's write).
   */
  foreign: boolean;
}

export function readCopy(storage: KeyValueStorage, fallbackUrl: string): Copy {
  try {
    const copy = JSON.parse(storage.getItem(SYNC_SETTINGS_KEY) ?? 'null') as (Partial<SyncSettings> & { mirror?: unknown }) | null;
    if (copy && typeof copy.url === 'string' && typeof copy.token === 'string') return { settings: { url: copy.url, token: copy.token }, foreign: copy.mirror !== true };
  } catch {
    // unreadable: as if never set
  }
  return { settings: { url: fallbackUrl, token: '' }, foreign: false };
}

export type Checked = { ok: true; settings: SyncSettings } | { ok: false; field: 'url' | 'token'; message: string };

/** What the form holds, checked and tidied: a trailing `/v1` or slash is dropped from the address. */
export function checkSettings(input: SyncSettings): Checked {
  const token = input.token.trim();
  const text = input.url.trim();
  if (/\s/.test(token)) return { ok: false, field: 'token', message: 'A token has no spaces: paste it exactly as `npm start` or `npm run token` printed it.' };
  if (!text) return token ? { ok: false, field: 'url', message: 'Enter the sync server’s address, e.g. http://127.0.0.1:8787.' } : { ok: true, settings: { url: '', token } };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, field: 'url', message: `“${text}” is not an address; enter one like http://127.0.0.1:8787.` };
  }
  if (!/^https?:$/.test(url.protocol)) return { ok: false, field: 'url', message: 'The address must start with http:// or https://.' };
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return { ok: true, settings: { url: url.origin + path, token } };
}

/** Mirrors the database's settings in the profile (same shape as the previous release's, so a rollback keeps syncing). */
export function saveCopy(storage: KeyValueStorage, settings: SyncSettings): void {
  try {
    storage.setItem(SYNC_SETTINGS_KEY, JSON.stringify({ url: settings.url, token: settings.token, mirror: true }));
  } catch {
    // a full or refused profile storage: the database holds the settings all the same
  }
}

// Cache Storage keys are URLs: one under the origin that nothing ever fetches.
const BACKUP_CACHE = 'cartlog-sync-settings';
const backupKey = () => new URL('/.cartlog/sync-settings', globalThis.location?.href ?? 'http://localhost/').href;
const cacheStorage = (): CacheStorage | undefined => (typeof caches === 'undefined' ? undefined : caches);

/**
 * Keeps the settings in Cache Storage too (where the page has it: secure origins). Never throws;
 * nobody waits for it: the database's copy is the one Save waits for.
 */
export async function saveBackup(settings: SyncSettings): Promise<void> {
  try {
    const cache = await cacheStorage()?.open(BACKUP_CACHE);
    await cache?.put(backupKey(), new Response(JSON.stringify({ url: settings.url, token: settings.token }), { headers: { 'content-type': 'application/json' } }));
  } catch {
    // no room, or no Cache Storage: the database and localStorage hold them all the same
  }
}

/**
 * The settings kept in Cache Storage, if any. Read only when the database and localStorage hold
 * none, and given BACKUP_READ_MS at most: the engine waits for it.
 */
export async function readBackup(): Promise<SyncSettings | undefined> {
  const read = async () => {
    const response = await (await cacheStorage()?.open(BACKUP_CACHE))?.match(backupKey());
    const kept = (await response?.json()) as Partial<SyncSettings> | undefined;
    if (kept && typeof kept.url === 'string' && typeof kept.token === 'string') return { url: kept.url, token: kept.token };
    return undefined;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([read(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), BACKUP_READ_MS)))]);
  } catch {
    return undefined; // unreadable: as if never kept
  } finally {
    clearTimeout(timer);
  }
}

const BACKUP_READ_MS = 2_000;
