// UI 2. First render after a reload, with 100 and with 100 000 events of history in the app's live
// database: from navigation start (performance.now()'s zero) to the MutationObserver callback that
// first sees cart-count with the seeded cart's count. Two origins of one profile hold the two
// histories, so the reloads alternate between them round by round. Beside each, the floor: a page
// on the same origin that opens the same database with plain IndexedDB, reads the cart's row and
// writes its count, timed the same way.
import { setTimeout as pause } from 'node:timers/promises';
import type { Page } from 'playwright';
import { compare, type ScenarioOutput } from '../result.ts';
import { median, round } from '../stats.ts';
import type { FirstRender } from './probe.ts';
import { COUNT, openPage, probeOf, seedLive, withBrowser, type UiScenario } from './context.ts';

/**
 * The current cart: all of the small history; a tenth of the large one, as in boot. Both end with
 * the same 20 lines and quantities, so the two renders draw the same DOM: only the history differs.
 */
const SIZES = [
  { label: '100', events: 100, current: 100 },
  { label: '100k', events: 100_000, current: 10_000 },
] as const;
const ROUNDS = 13;
const SETTLE_MS = 150;

interface Target {
  label: string;
  kind: 'app' | 'raw';
  page: Page;
  count: number;
  renders: FirstRender[];
}

async function reload(t: Target): Promise<FirstRender> {
  // Only the front tab renders frames and gets IndexedDB's foreground priority: as the user's.
  await t.page.bringToFront();
  await t.page.reload();
  const render = await probeOf(t.page).firstRender();
  if (render.text !== String(t.count)) throw new Error(`first render ${t.label} ${t.kind}: cart-count first showed ${render.text}, not ${t.count}`);
  return render;
}

/** The median over the reloads, in ms to 0.1; n/a where the page never got there. */
function med(renders: FirstRender[], of: (r: FirstRender) => number | undefined): string {
  const values = renders.map(of).filter((v): v is number => v !== undefined && !Number.isNaN(v));
  return values.length ? String(round(median(values), 1)) : 'n/a';
}

/** Where one target's first render went, from navigation start (medians). */
function milestones(t: Target): string {
  const r = t.renders;
  return (
    `ui.firstRender ${t.label} ${t.kind}: cart-count ${t.count}; median ms from navigation start: html ${med(r, (x) => x.responseEnd)}, ` +
    `document created ${med(r, (x) => x.document)}, ` +
    `subresources ${med(r, (x) => x.subresourcesEnd)}, DOMContentLoaded ${med(r, (x) => x.domContentLoaded)}, ` +
    `first contentful paint ${med(r, (x) => x.firstContentfulPaint)}, indexedDB.open ${med(r, (x) => x.dbOpen)} → opened ${med(r, (x) => x.dbOpened)}, ` +
    `${med(r, (x) => x.transactions.length)} transactions (first begun ${med(r, (x) => x.transactions[0]?.at)}, last begun ${med(r, (x) => x.transactions.at(-1)?.at)}), ` +
    `cart-count shown ${med(r, (x) => x.shown)}, next frame ${med(r, (x) => x.frame)}; all: ${r.map((x) => round(x.shown, 1)).join(', ')}`
  );
}

export const firstRenderScenario: UiScenario = (env) =>
  withBrowser(env, async (context) => {
    const targets: Target[] = [];
    for (const [i, size] of SIZES.entries()) {
      const origin = env.origins[i]!;
      const seeded = await seedLive(context, origin, size.events, size.current);
      const app = await openPage(context, `${origin}/`);
      await app.locator(COUNT).waitFor();
      const raw = await openPage(context, `${origin}/bench/ui/raw-boot.html?db=${seeded.database}&cart=${seeded.cartId}`);
      targets.push({ label: size.label, kind: 'app', page: app, count: seeded.itemCount, renders: [] });
      targets.push({ label: size.label, kind: 'raw', page: raw, count: seeded.itemCount, renders: [] });
    }
    // Round -1 warms up; each round starts at another target, so a slow moment is spread.
    for (let r = -1; r < ROUNDS; r++)
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(r + 1 + k) % targets.length]!;
        const render = await reload(t);
        if (r >= 0) t.renders.push(render);
        // The app catches its async projection up 100 ms after it opens: let that pass here.
        await pause(SETTLE_MS);
      }

    const find = (label: string, kind: Target['kind']) => targets.find((t) => t.label === label && t.kind === kind)!;
    const shown = (t: Target) => median(t.renders.map((r) => r.shown));
    const [small, large] = [find('100', 'app'), find('100k', 'app')];
    const notes = targets.map(milestones);
    // Each round reloads both apps close in time: their ratio round by round is less exposed to a slow moment.
    const perRound = small.renders.map((r, i) => large.renders[i]!.shown / r.shown);
    notes.push(`ui.firstRender 100k/100 round by round: median ${round(median(perRound), 2)} (${round(Math.min(...perRound), 2)}–${round(Math.max(...perRound), 2)})`);
    for (const t of targets.filter((x) => x.kind === 'app')) {
      const last = t.renders.at(-1)!.transactions.map((tx) => `${tx.mode} [${tx.stores}] ${round(tx.at, 1)}→${Number.isNaN(tx.done) ? 'later' : round(tx.done, 1)}`);
      notes.push(`ui.firstRender ${t.label} app, the last reload's IndexedDB transactions (begun→done, ms): ${last.join('; ')}`);
    }
    return {
      results: [
        compare('ui.firstRender.100', 'ms', shown(small), shown(find('100', 'raw'))),
        compare('ui.firstRender.100k', 'ms', shown(large), shown(find('100k', 'raw'))),
        { name: 'ui.firstRender.ratio', unit: 'x', value: shown(large) / shown(small) },
      ],
      notes,
    } satisfies ScenarioOutput;
  });
