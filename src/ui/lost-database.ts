// A database the browser recreated must be told, never shown as an empty cart. Two signs: the
// browser says so (Chromium deletes a store it finds corrupt and reports `dataLoss` as it opens
// the new one), or the store was created by this visit on a profile that kept carts before —
// its files were deleted while the browser was closed (by the browser, a cleanup, a full disk
// that damaged them), and no browser said a word.
import type { OpenReport } from '../es/open-report.ts';
import type { KeyValueStorage } from './device.ts';
import { HAD_CARTS_KEY } from './stored-keys.ts';

export interface LostDatabase {
  why: 'dataLoss' | 'marker';
  /** What happened, in words for the shopper. */
  message: string;
}

export function lostDatabase(found: OpenReport, storage: KeyValueStorage): LostDatabase | undefined {
  if (found.dataLoss) {
    const detail = found.dataLoss.message ? ` (it said: “${found.dataLoss.message}”)` : '';
    return { why: 'dataLoss', message: `The browser deleted this device’s carts: it found their storage damaged${detail} and started over with an empty one.` };
  }
  if (found.created && storage.getItem(HAD_CARTS_KEY)) {
    return {
      why: 'marker',
      message: 'This device’s carts are gone: the browser’s storage for this site was emptied while cartlog was closed (by the browser, or a cleanup of the disk).',
    };
  }
  return undefined;
}

/** The device holds carts now: remembered once, in the profile's storage. */
export function noteCarts(storage: KeyValueStorage): void {
  if (!storage.getItem(HAD_CARTS_KEY)) storage.setItem(HAD_CARTS_KEY, new Date().toISOString());
}
