// `BASE=/path/a[,/path/b…] npx tsx test/bench/diagnose/render-ab.ts`: ui.firstRender's reload of a
// 100-event cart for the app built from each BASE checkout and from this tree, and for the raw
// page, reloaded in turn round by round in one browser, so a slow moment of the machine hits them
// all. Prints each one's median, and each app's per-round ratio to the first BASE.
import { setTimeout as pause } from 'node:timers/promises';
import { median, round } from '../stats.ts';
import { buildSite, originOf, serve } from '../site.ts';
import { openPage, probeOf, seedLive, withBrowser } from '../ui/context.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 25);
const roots = [...(process.env.BASE ?? '').split(',').filter(Boolean), undefined];
if (roots.length < 2) throw new Error('BASE: the checkout(s) to compare with');
const sites = [];
for (const root of roots) sites.push(await buildSite(true, root));
const servers = await Promise.all(sites.map((site) => serve(site.dir)));
const origins = servers.map(originOf);
try {
  await withBrowser({ site: sites.at(-1)!, origins: [origins[0]!, origins[1]!], profile: false }, async (context) => {
    const targets: { label: string; page: Awaited<ReturnType<typeof openPage>>; shown: number[] }[] = [];
    for (const [i, origin] of origins.entries()) {
      const seeded = await seedLive(context, origin, 100);
      targets.push({ label: roots[i] ?? 'this tree', page: await openPage(context, `${origin}/`), shown: [] });
      if (i === 0) targets.push({ label: 'raw', page: await openPage(context, `${origin}/bench/ui/raw-boot.html?db=${seeded.database}&cart=${seeded.cartId}`), shown: [] });
    }
    for (let r = -2; r < ROUNDS; r++)
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(r + 2 + k) % targets.length]!;
        await t.page.bringToFront();
        await t.page.reload();
        const render = await probeOf(t.page).firstRender();
        if (r >= 0) t.shown.push(render.shown);
        await pause(150);
      }
    const [first, raw] = [targets[0]!, targets[1]!];
    for (const t of targets) {
      const perRound = t.shown.map((x, i) => x / first.shown[i]!);
      console.log(
        `${t.label.padEnd(14)} median ${String(round(median(t.shown), 1)).padStart(6)} ms, × raw ${round(median(t.shown) / median(raw.shown), 2)}, ` +
          `per round × ${first.label} ${round(median(perRound), 3)}`,
      );
    }
  });
} finally {
  servers.forEach((s) => s.close());
}
