// `npx tsx test/bench/diagnose/render-trace.ts`: a Chromium trace (devtools.timeline) of a few
// reloads of the built app holding a seeded cart of 20 lines, printed as the main thread's work
// from navigation start until cart-count shows — what ui.firstRender's milestones (ui-render
// --diagnose) leave between the script's start, the database's open and the render.
import { setTimeout as pause } from 'node:timers/promises';
import { buildSite, originOf, serve } from '../site.ts';
import { openPage, probeOf, seedLive, withBrowser } from '../ui/context.ts';
import type { TraceEvent } from './trace-event.ts';

const MILESTONES = new Set(['responseEnd', 'domLoading', 'domInteractive', 'domContentLoadedEventStart', 'firstContentfulPaint', 'MarkDOMContent', 'TimerFire', 'ResourceFinish', 'ResourceSendRequest', 'ResourceReceiveResponse']);
const RELOADS = Number(process.env.RELOADS ?? 4);
const MIN_MS = Number(process.env.MIN_MS ?? 0.3);
const site = await buildSite(process.env.MINIFY !== '0');
const server = await serve(site.dir);
const origin = originOf(server);
try {
  await withBrowser({ site, origins: [origin, origin], profile: false }, async (context) => {
    const seeded = await seedLive(context, origin, 100);
    // RAW=1: the bench's raw page instead, the floor ui.firstRender compares with.
    const url = process.env.RAW === '1' ? `${origin}/bench/ui/raw-boot.html?db=${seeded.database}&cart=${seeded.cartId}` : `${origin}/`;
    const page = await openPage(context, url);
    await probeOf(page).firstRender();
    for (let i = 0; i < 3; i++) {
      await page.reload();
      await probeOf(page).firstRender();
      await pause(200);
    }
    const cdp = await context.newCDPSession(page);
    for (let r = 0; r < RELOADS; r++) {
      const events: TraceEvent[] = [];
      const collect = (e: { value: unknown }) => void events.push(...(e.value as TraceEvent[]));
      cdp.on('Tracing.dataCollected', collect);
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.start', {
        categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,v8,blink.user_timing,IndexedDB,toplevel,loading,blink.resource',
        transferMode: 'ReportEvents',
      });
      await page.reload();
      const render = await probeOf(page).firstRender();
      await pause(150);
      await cdp.send('Tracing.end');
      await done;
      cdp.off('Tracing.dataCollected', collect);
      print(events, r);
      console.log(`    the probe: cart-count shown at ${render.shown.toFixed(1)} ms from navigation start`);
      await pause(200);
    }
  });
} finally {
  server.close();
}

function print(events: TraceEvent[], r: number) {
  const nav = events.filter((e) => e.name === 'navigationStart' && String(e.args?.data?.documentLoaderURL ?? '').startsWith(origin)).sort((a, b) => b.ts - a.ts)[0];
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.tid === e.tid && x.name === 'ParseHTML'));
  if (!nav || !main) return console.log(`reload ${r}: no navigation or main thread in the trace`);
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ts >= nav.ts && (e.ph === 'X' || e.ph === 'I' || e.ph === 'R' || e.ph === 'B'));
  const skip = new Set(['ThreadControllerImpl::RunTask', 'SequenceManager::DoIdleWork']);
  console.log(`--- reload ${r} (ms from navigationStart)`);
  for (const e of onMain.sort((a, b) => a.ts - b.ts)) {
    if (skip.has(e.name)) continue;
    const dur = (e.dur ?? 0) / 1000;
    if (e.ph === 'X' ? dur < MIN_MS : !MILESTONES.has(e.name)) continue;
    const data = e.args?.data ?? e.args?.beginData ?? {};
    const what = [data.type, data.functionName, data.url ? String(data.url).split('/').pop() : undefined, data.name].filter((x) => x !== undefined && x !== '').join(' ');
    console.log(`${((e.ts - nav.ts) / 1000).toFixed(1).padStart(7)}  ${e.name.padEnd(34)} ${e.ph === 'X' ? `${dur.toFixed(2)} ms`.padStart(9) : ''.padStart(9)}  ${what}`);
    if ((e.ts - nav.ts) / 1000 > 400) break;
  }
}
