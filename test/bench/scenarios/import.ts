// 6. Import: an export file of 100 000 events (1000 carts × 100) into a sandbox, as the history
// panel does it (read the file, validate every line, then appendBulk in batches), against raw
// IndexedDB writing the same events packed, in the same batches; `vsSameWork`: raw IndexedDB after
// the same read and validation of the file, writing everything appendBulk writes (the floor).
import { importIntoSandbox, SANDBOX_PREFIX } from '../../../src/cart/sandbox.ts';
import { logFileLines, readLogFile } from '../../../src/es/logfile.ts';
import { validateCartData } from '../../../src/cart/carts.ts';
import { deleteEventStore } from '../../../src/es/store.ts';
import { DEVICE_ID, batches } from '../fixtures.ts';
import { cartlogLayout, deleteRaw, openRaw } from '../raw/idb.ts';
import { writePacked, writePackedWithViews } from '../raw/log.ts';
import { cartListProjection, cartViewProjection } from '../../../src/cart/projections.ts';
import { compare, type ScenarioOutput } from '../result.ts';
import { dbName, log, pause, round, timed } from '../stats.ts';
import { BATCH, bulkEvents } from './history.ts';

export async function importScenario(): Promise<ScenarioOutput> {
  const events = bulkEvents();
  const file = new Blob([...logFileLines(events)], { type: 'application/x-ndjson' });
  const names = { sandbox: `${SANDBOX_PREFIX}${dbName('import')}`, packed: dbName('import-packed'), views: dbName('import-views') };
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
    // The same work with raw IndexedDB: the file read and validated by the same code first (CONTRACT
    // §4: before anything is written), then everything appendBulk writes (pages, heads, both rows).
    const views = await openRaw(names.views, cartlogLayout);
    let checkMs = 0;
    let sameWorkMs = 0;
    try {
      await pause(100);
      sameWorkMs = (
        await timed(async () => {
          const check = await timed(async () => readLogFile((await file.text()).split('\n').slice(0, -1), validateCartData));
          checkMs = check.ms;
          if (!check.value.ok) throw new Error(`import: raw side refused line ${check.value.line}`);
          for (const chunk of batches(check.value.events, BATCH)) await writePackedWithViews(views, chunk, [cartViewProjection, cartListProjection]);
        })
      ).ms;
    } finally {
      views.close();
    }
    const rate = (ms: number) => events.length / (ms / 1000);
    notes.push(`import: reading + validating the file alone ${round(checkMs, 0)} ms (before any write, as CONTRACT §4 asks); raw same work ${round(sameWorkMs, 0)} ms`);
    notes.push(`import: file → sandbox ${round(importMs, 0)} ms (read, validate, appendBulk); raw packed write ${round(packedMs, 0)} ms`);
    notes.forEach(log);
    return {
      results: [compare('import.100k', 'events/s', rate(importMs), rate(packedMs)), compare('import.100k.vsSameWork', 'events/s', rate(importMs), rate(sameWorkMs))],
      notes,
    };
  } finally {
    await deleteEventStore(names.sandbox);
    await deleteRaw(names.packed);
    await deleteRaw(names.views);
  }
}
