// `npx tsx test/bench/diagnose/render-profile.ts`: a CPU profile (sampled every 50 µs) of the
// app's page over a few reloads of ui.firstRender's 100-event cart, unminified: self and inclusive
// time by function from navigation start until cart-count shows — which code of the page's own
// the first render waits on. RELOADS (8), TOP (40), MINIFY=1 for the shipped build.
import { setTimeout as pause } from 'node:timers/promises';
import { buildSite, originOf, serve } from '../site.ts';
import { openPage, probeOf, seedLive, withBrowser } from '../ui/context.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const RELOADS = Number(process.env.RELOADS ?? 8);
const TOP = Number(process.env.TOP ?? 40);
const SLACK_MS = Number(process.env.SLACK_MS ?? 5);
const site = await buildSite(process.env.MINIFY === '1');
const server = await serve(site.dir);
const origin = originOf(server);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
const keyOf = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop() ?? ''}:${n.callFrame.lineNumber + 1}`;
try {
  await withBrowser({ site, origins: [origin, origin], profile: false }, async (context) => {
    await seedLive(context, origin, 100);
    const page = await openPage(context, `${origin}/`);
    await probeOf(page).firstRender();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    let shownTotal = 0;
    for (let r = -1; r < RELOADS; r++) {
      await pause(200);
      await cdp.send('Profiler.start');
      await page.reload();
      const render = await probeOf(page).firstRender();
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
      if (r < 0) continue;
      shownTotal += render.shown;
      // The profile's clock is not the page's: the window is approximate. The reload's navigation
      // starts one round trip after the profiler, so the samples up to `shown` + SLACK_MS from the
      // profile's start hold the first render's and perhaps a few ms of what follows it (with a
      // wide window, the catalog built after the first paint).
      const parent = new Map<number, number>();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      let t = profile.startTime;
      const times = profile.timeDeltas.map((d) => (t += d));
      const cutoff = profile.startTime + (render.shown + SLACK_MS) * 1000;
      profile.samples.forEach((id, i) => {
        if (times[i]! > cutoff) return;
        const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
        const node = byId.get(id)!;
        add(self, keyOf(node), ms);
        const seen = new Set<string>();
        for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
          const k = keyOf(byId.get(n)!);
          if (!seen.has(k)) add(inclusive, k, ms), seen.add(k);
        }
      });
    }
    console.log(`cart-count shown at ${(shownTotal / RELOADS).toFixed(1)} ms on average over ${RELOADS} reloads; ms per reload:`);
    const print = (title: string, m: Map<string, number>) => {
      console.log(`--- ${title}`);
      for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${(ms / RELOADS).toFixed(2).padStart(8)} ms  ${k}`);
    };
    print('self', self);
    print('inclusive', inclusive);
  });
} finally {
  server.close();
}
