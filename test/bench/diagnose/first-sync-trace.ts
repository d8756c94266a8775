// `npx tsx test/bench/diagnose/first-sync-trace.ts`: a Chromium trace of a new device's first sync
// (the sync.firstSync.100k setup: one real server, 1,000 carts × 100 events), printed as the main
// thread's tasks longer than MIN_MS (default 30) and what each held — the stalls the scenario's
// longestStall counts, and whether they are script, GC, IndexedDB callbacks or the renderer waiting.
// RUNS=n syncs n times, each into a new database: the second and later run the page's code warm,
// unless RELOAD=1 reloads the page before each (every run cold, as a new device's first sync is).
// TRACE=0 only prints each run's stalls (tracing slows the page).
import { buildSite } from '../site.ts';
import { withSeededServer } from '../first-sync.ts';
import { openPage, withBrowser } from '../ui/context.ts';
import type { SyncDeviceApi } from '../ui/sync-device.ts';
import type { TraceEvent } from './trace-event.ts';

type DeviceWindow = Window & { syncDevice: SyncDeviceApi };

const MIN_MS = Number(process.env.MIN_MS ?? 30);
const RUNS = Number(process.env.RUNS ?? 1);
const RELOAD = process.env.RELOAD === '1';
const TRACE = process.env.TRACE !== '0';
const CATEGORIES = 'devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,disabled-by-default-v8.gc,toplevel,IndexedDB';
const site = await buildSite(process.env.MINIFY !== '0');
const env = { site, origins: ['', ''] as [string, string], profile: false };

function describe(e: TraceEvent): string {
  const data = e.args?.data ?? e.args?.beginData ?? {};
  return [data.type, data.functionName, data.url ? String(data.url).split('/').pop() : undefined, data.lineNumber].filter((x) => x !== undefined && x !== '').join(' ');
}

await withSeededServer(env, async ({ origin, token }) => {
  await withBrowser(env, async (context) => {
    const page = await openPage(context, `${origin}/bench/ui/sync-device.html`);
    await page.waitForSelector('body[data-ready="true"]');
    const cdp = await context.newCDPSession(page);
    for (let run = 0; run < RUNS; run++) {
      if (RELOAD && run > 0) {
        await page.reload();
        await page.waitForSelector('body[data-ready="true"]');
      }
      const events: TraceEvent[] = [];
      const collect = (e: { value: unknown }) => void events.push(...(e.value as TraceEvent[]));
      if (TRACE) {
        cdp.on('Tracing.dataCollected', collect);
        await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
      }
      const out = await page.evaluate(
        async ([r, o, t]) => {
          const device = (window as unknown as DeviceWindow).syncDevice;
          device.watchMainThread();
          const start = performance.now();
          await device.open(`first-sync-trace-${r}`, o, t);
          await device.sync();
          const ms = performance.now() - start;
          const watched = device.mainThread();
          await device.close();
          return { ms, ...watched };
        },
        [run, origin, token] as const,
      );
      console.log(`--- run ${run}: ${Math.round(out.ms)} ms, longest stall ${out.longestMs.toFixed(1)} ms, ${out.over50} over 50 ms`);
      if (!TRACE) continue;
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await done;
      cdp.off('Tracing.dataCollected', collect);
      const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'FunctionCall'));
      const onMain = events.filter((e) => e.pid === main?.pid && e.tid === main?.tid && e.ph === 'X').sort((a, b) => a.ts - b.ts);
      const t0 = onMain[0]?.ts ?? 0;
      const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) >= MIN_MS * 1000);
      for (const task of tasks) {
        console.log(`${((task.ts - t0) / 1000).toFixed(1).padStart(8)} ms  task ${((task.dur ?? 0) / 1000).toFixed(1)} ms`);
        const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + (task.dur ?? 0) && (e.dur ?? 0) >= 1000);
        for (const e of inside) console.log(`${((e.ts - task.ts) / 1000).toFixed(1).padStart(14)}  ${e.name.padEnd(34)} ${((e.dur ?? 0) / 1000).toFixed(1).padStart(6)} ms  ${describe(e)}`);
      }
      // The gaps no task explains: the timer late while the main thread ran nothing long.
      const gc = onMain.filter((e) => /GC|Scavenge|MarkCompact/i.test(e.name)).reduce((sum, e) => sum + (e.dur ?? 0), 0);
      console.log(`  main thread: ${tasks.length} tasks ≥ ${MIN_MS} ms; GC on the main thread ${(gc / 1000).toFixed(0)} ms in all`);
    }
  });
});
