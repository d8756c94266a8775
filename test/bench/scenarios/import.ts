// 6. Import: an export file of 100 000 events (1000 carts × 100) into a sandbox, as the history
// panel does it (read the file, validate every line, then appendBulk in batches), against raw
// IndexedDB writing the same events packed, in the same batches.
import { importIntoSandbox, SANDBOX_PREFIX } from '../../../src/cart/sandbox.ts';
import { logFileLines, readLogFile } from '../../../src/es/logfile.ts';
import { validateCartData } from '../../../src/cart/carts.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, batches } from '../fixtures.ts';
import { cartlogLayout, deleteRaw, openRaw } from '../raw/idb.ts';
import { writePacked } from '../raw/log.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, pause, round, timed } from '../stats.ts';
import { BATCH, bulkEvents } from './history.ts';

export async function importScenario(): Promise<ScenarioOutput> {
  const events = bulkEvents();
  const file = new Blob([...logFileLines(events)], { type: 'application/x-ndjson' });
  const names = { sandbox: `${SANDBOX_PREFIX}${dbName('import')}`, packed: dbName('import-packed') };
  const notes = [`import: ${events.length} events, file ${round(file.size / 1024 / 1024, 1)} MiB`];
  try {
    await pause(100);
    const { ms: importMs, value: result } = await timed(() => importIntoSandbox(file, { deviceId: DEVICE_ID, name: names.sandbox }));
    if (!result.ok) throw new Error(`import: refused at line ${result.line}: ${result.reason}`);
    if (result.eventCount !== events.length) throw new Error(`import: ${result.eventCount} events, not ${events.length}`);
    await result.carts.store.catchUp();
    result.carts.close();

    const packed = await openRaw(names.packed, cartlogLayout);
    let packedMs = 0;
    try {
      await pause(100);
      for (const chunk of batches(events, BATCH)) packedMs += (await timed(() => writePacked(packed, chunk))).ms;
    } finally {
      packed.close();
    }
    // The contract has the whole file read and validated before anything is written: that part alone.
    const { ms: checkMs } = await timed(async () => readLogFile((await file.text()).split('\n').slice(0, -1), validateCartData));
    const rate = (ms: number) => events.length / (ms / 1000);
    notes.push(`import: reading + validating the file alone ${round(checkMs, 0)} ms (before any write, as CONTRACT §4 asks)`);
    notes.push(`import: file → sandbox ${round(importMs, 0)} ms (read, validate, appendBulk); raw packed write ${round(packedMs, 0)} ms`);
    notes.forEach(log);
    return { results: [compare('import.100k', 'events/s', rate(importMs), rate(packedMs))], notes };
  } finally {
    await deleteEventStore(names.sandbox);
    await deleteRaw(names.packed);
  }
}
