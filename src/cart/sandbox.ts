// Importing an export file never touches the live log: a good file goes into a sandbox, which is
// simply another database (the store is opened by name), and a sandbox never syncs.
import { checkFileSize, deleteEventStore, readLogFile, type LogFileResult } from '../es/index.ts';
import { openCarts, validateCartData, type Carts } from './carts.ts';
import { SANDBOX_PREFIX } from './database-names.ts';

export { isSandbox, SANDBOX_PREFIX } from './database-names.ts';
const IMPORT_BATCH = 10_000;

export type ImportResult = { ok: true; carts: Carts; eventCount: number } | Extract<LogFileResult, { ok: false }>;

/**
 * Reads and validates the whole file. Its text and lines (tens of MiB) belong to this call alone,
 * so they can be collected before the writes begin, while only the parsed events stay.
 */
async function checkFile(file: Blob): Promise<LogFileResult> {
  const refused = checkFileSize(file.size);
  if (refused && !refused.ok) return refused;
  const lines = (await file.text()).split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return readLogFile(lines, validateCartData);
}

/** Validates the whole file, then (only if it is good) writes it into a fresh sandbox database. */
export async function importIntoSandbox(file: Blob, options: { deviceId: string; name?: string }): Promise<ImportResult> {
  const result = await checkFile(file);
  if (!result.ok) return result;

  const name = options.name ?? `${SANDBOX_PREFIX}${Date.now()}`;
  await deleteEventStore(name);
  const carts = await openCarts({ name, deviceId: options.deviceId });
  try {
    // readLogFile checked every envelope with the same validator: don't check 100 k events twice.
    for (let i = 0; i < result.events.length; i += IMPORT_BATCH)
      await carts.store.appendBulk(result.events.slice(i, i + IMPORT_BATCH), { validated: true });
  } catch (error) {
    carts.close();
    await deleteEventStore(name);
    throw error;
  }
  return { ok: true, carts, eventCount: result.events.length };
}
