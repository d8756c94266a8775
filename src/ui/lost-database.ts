// A database the browser recreated must be told, never shown as an empty cart. Two signs: the
// browser says so (Chromium deletes a store it finds corrupt and reports `dataLoss` as it opens
// the new one), or the store was created by this visit on a profile that kept carts before —
// its files were deleted while the browser was closed (by the browser, a cleanup, a full disk
// that damaged them), and no browser said a word.
import type { OpenReport } from '../es/open-report.ts';
import type { KeyValueStorage } from './device.ts';
import { HAD_CARTS_KEY, PENDING_KEY, PENDING_LIST_KEY } from './stored-keys.ts';

export interface LostDatabase {
  why: 'dataLoss' | 'marker';
  /** What happened, in words for the shopper. */
  message: string;
  /** Changes that had not reached the sync server, as last counted (absent: sync never counted any). */
  unsynced?: number;
  /** The first of them in words, as sync last listed them. */
  unsyncedList?: string[];
}

export function lostDatabase(found: OpenReport, storage: KeyValueStorage): LostDatabase | undefined {
  const counted = Number(storage.getItem(PENDING_KEY) ?? NaN);
  const listed = readList(storage.getItem(PENDING_LIST_KEY));
  const unsynced = Number.isInteger(counted) && counted >= 0 ? { unsynced: counted, ...(counted > 0 && listed.length ? { unsyncedList: listed } : {}) } : {};
  if (found.dataLoss) {
    const detail = found.dataLoss.message ? ` (it said: “${found.dataLoss.message}”)` : '';
    return { why: 'dataLoss', message: `The browser deleted this device’s carts: it found their storage damaged${detail} and started over with an empty one.`, ...unsynced };
  }
  if (found.created && storage.getItem(HAD_CARTS_KEY)) {
    return {
      why: 'marker',
      message: 'This device’s carts are gone: the browser’s storage for this site was emptied while cartlog was closed (by the browser, or a cleanup of the disk).',
      ...unsynced,
    };
  }
  return undefined;
}

/** What the sync server lacks, as sync counts it now; undefined while sync is off (nothing is on a server). */
export function notePending(storage: KeyValueStorage, pending: number | undefined): void {
  const value = pending === undefined ? 'off' : String(pending);
  try {
    if (storage.getItem(PENDING_KEY) !== value) storage.setItem(PENDING_KEY, value);
  } catch {
    // a full profile storage: the notice then says less, nothing else depends on it
  }
}

/** The device holds carts now: remembered once, in the profile's storage. */
export function noteCarts(storage: KeyValueStorage): void {
  if (!storage.getItem(HAD_CARTS_KEY)) storage.setItem(HAD_CARTS_KEY, new Date().toISOString());
}

/** The first changes waiting for the server, in words (sync keeps them as they change). */
export function notePendingList(storage: KeyValueStorage, changes: readonly string[]): void {
  try {
    const value = JSON.stringify(changes);
    if (storage.getItem(PENDING_LIST_KEY) !== value) storage.setItem(PENDING_LIST_KEY, value);
  } catch {
    // a full profile storage: the notice then says the count alone
  }
}

function readList(text: string | null): string[] {
  try {
    const list = JSON.parse(text ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}
