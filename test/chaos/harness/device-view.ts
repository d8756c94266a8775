// What the device holds — the second of the three views (count.ts): its live database read
// straight from IndexedDB through a page, not through the app's read models, so a read model
// that disagrees with its log cannot hide a loss.
import type { Page } from 'playwright';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { REJECTED } from '../../../src/sync/client/rows.ts';

export interface RejectedRow {
  commandId: string;
  cartId: string;
  reason: string;
}

export interface DeviceView {
  /** Every event, stream by stream in version order. */
  events: EventEnvelope[];
  /** Changes listed as rejected (with their reason), not yet dismissed. */
  rejected: RejectedRow[];
  /** False when the profile has no live database at all (none made, or the browser deleted it). */
  exists: boolean;
}

export function deviceView(page: Page, database = 'cartlog'): Promise<DeviceView> {
  return page.evaluate(
    ({ database, rejectedRows }) =>
      new Promise<DeviceView>((resolve, reject) => {
        // No version: opens what is there and never upgrades; a database that is not there is
        // not made either (the upgrade is aborted), so reading never hides a deleted one.
        const open = indexedDB.open(database);
        let missing = false;
        open.onupgradeneeded = () => {
          missing = true;
          open.transaction!.abort();
        };
        open.onerror = (event) => {
          if (!missing) return reject(open.error);
          event.preventDefault();
          resolve({ events: [], rejected: [], exists: false });
        };
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['pages', 'readModels'], 'readonly');
          const pages = tx.objectStore('pages').getAll();
          const rows = tx.objectStore('readModels').getAll(IDBKeyRange.bound([rejectedRows, ''], [rejectedRows, '\uffff']));
          tx.onerror = () => reject(tx.error);
          tx.oncomplete = () => {
            db.close();
            const events = (pages.result as { events: EventEnvelope[] }[]).flatMap((page) => page.events);
            events.sort((a, b) => (a.streamId === b.streamId ? a.version - b.version : a.streamId < b.streamId ? -1 : 1));
            const rejected = (rows.result as { value: RejectedRow }[]).map(({ value }) => ({ commandId: value.commandId, cartId: value.cartId, reason: value.reason }));
            resolve({ events, rejected, exists: true });
          };
        };
      }),
    { database, rejectedRows: REJECTED },
  );
}

export const deviceLog = async (page: Page): Promise<EventEnvelope[]> => (await deviceView(page)).events;
