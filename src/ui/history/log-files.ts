// Export and import of CONTRACT §4 files from the history panel: a cart's stream or the whole
// log (read in pages) as a download, and a chosen file into a sandbox — with a refusal worded as
// "line N: reason", the first bad line of a file that was not imported at all.
import type { Carts } from '../../cart/carts.ts';
import { importIntoSandbox } from '../../cart/sandbox.ts';
import type { EventEnvelope } from '../../es/envelope.ts';
import { logFileLines } from '../../es/logfile.ts';
import type { EventStore } from '../../es/store.ts';

export const LOG_FILE_TYPE = 'application/x-ndjson';
export const LOG_FILE_EXTENSION = '.cartlog.ndjson';

/** `cartlog-weekly-shop-2026-11-27-0600.cartlog.ndjson`: says what and when, safe on every disk. */
export function exportFileName(what: string, at = new Date()): string {
  const slug =
    what
      .normalize('NFKD')
      // The accents NFKD split off: "crème" becomes "creme", not "cre-me".
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'cart';
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}`;
  return `cartlog-${slug}-${stamp}${LOG_FILE_EXTENSION}`;
}

export function logFileBlob(events: readonly EventEnvelope[], exportedAt = new Date()): Blob {
  return new Blob([...logFileLines(events, exportedAt)], { type: LOG_FILE_TYPE });
}

/** The whole log in local order, `pages` stored pages (of up to 100 events) per read. */
export async function readWholeLog(store: Pick<EventStore, 'readLog'>, pages = 100): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for (let after = 0; ; ) {
    const page = await store.readLog({ after, limit: pages });
    events.push(...page.events);
    if (page.done) return events;
    after = page.cursor;
  }
}

/** Downloads every cart's log as one §4 file (the history panel's "Export all carts", and the storage notices'). */
export async function exportAllCarts(store: Pick<EventStore, 'readLog'>): Promise<void> {
  download(logFileBlob(await readWholeLog(store)), exportFileName('all-carts'));
}

export type ImportOutcome = { ok: true; carts: Carts; eventCount: number } | { ok: false; message: string };

export async function importLogFile(file: Blob, deviceId: string): Promise<ImportOutcome> {
  try {
    const result = await importIntoSandbox(file, { deviceId });
    return result.ok ? result : { ok: false, message: `line ${result.line}: ${result.reason}` };
  } catch (error) {
    // Not the file's fault (storage full, database blocked): nothing of it was kept either.
    return { ok: false, message: `the sandbox could not be written: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Hands a file to the browser's downloads, as a link with `download` would. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked at once, some browsers (older Safari) cancel the download; kept, it holds the blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
