// `npx tsx test/bench/diagnose/click-trace.ts`: a Chromium trace (devtools.timeline) of a few
// add-to-cart clicks in the built app, printed as the main thread's work from each click's input
// until its command transaction completes — what sits between the transaction's requests and
// their answers (the figures in ui-append --diagnose say how long; this says what).
import { setTimeout as pause } from 'node:timers/promises';
import { buildSite, originOf, serve } from '../site.ts';
import { SETTLE_MS, addToCart, catalogSkus, clickOneMore, openApp, withBrowser, LINES } from '../ui/context.ts';
import type { TraceEvent } from './trace-event.ts';


const CLICKS = Number(process.env.CLICKS ?? 6);
const site = await buildSite(process.env.MINIFY !== '0');
const server = await serve(site.dir);
try {
  await withBrowser({ site, origins: [originOf(server), originOf(server)], profile: false }, async (context) => {
    const page = await openApp(context, originOf(server));
    const skus = await catalogSkus(page, LINES);
    for (let i = 0; i < 14; i++) {
      await pause(SETTLE_MS);
      await clickOneMore(page, addToCart, skus[i % skus.length]!);
    }
    const cdp = await context.newCDPSession(page);
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.start', {
      categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing,IndexedDB,toplevel',
      transferMode: 'ReportEvents',
    });
    for (let i = 0; i < CLICKS; i++) {
      await pause(SETTLE_MS);
      await page.evaluate((n) => performance.mark(`click-${n}`), i);
      await clickOneMore(page, addToCart, skus[i % skus.length]!);
    }
    await cdp.send('Tracing.end');
    await done;
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'EventDispatch'));
    const onMain = events.filter((e) => e.pid === main?.pid && e.tid === main?.tid && (e.ph === 'X' || e.ph === 'I' || e.ph === 'R' || e.ph === 'n'));
    const clicks = onMain.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'click').sort((a, b) => a.ts - b.ts);
    const interesting = new Set(['RunTask', 'EventDispatch', 'FunctionCall', 'FireAnimationFrame', 'UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit', 'HitTest', 'ScheduleStyleRecalculation', 'RunMicrotasks', 'v8.run', 'TimerFire', 'ParseHTML', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'BeginMainThreadFrame', 'IntersectionObserverController::computeIntersections', 'UpdateLayerTree', 'PaintImage', 'Animation Frame Fired', 'ProfileCall']);
    for (const click of clicks) {
      const from = click.ts - 200;
      const to = click.ts + 14_000;
      console.log(`--- click at ${(click.ts / 1000).toFixed(1)} ms`);
      for (const e of onMain.filter((x) => x.ts >= from && x.ts <= to && interesting.has(x.name)).sort((a, b) => a.ts - b.ts)) {
        const d = e.dur === undefined ? '' : `${(e.dur / 1000).toFixed(2)} ms`;
        const data = e.args?.data ?? {};
        const what = [data.type, data.functionName, data.url ? String(data.url).split('/').pop() : undefined, data.lineNumber].filter((x) => x !== undefined && x !== '').join(' ');
        if (e.name === 'RunTask' && (e.dur ?? 0) < 50) continue;
        console.log(`${((e.ts - click.ts) / 1000).toFixed(2).padStart(7)}  ${e.name.padEnd(26)} ${d.padStart(9)}  ${what}`);
      }
    }
  });
} finally {
  server.close();
}
