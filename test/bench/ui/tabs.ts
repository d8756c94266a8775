// UI 3. Tab to tab: two tabs of one profile on the app's current cart; a click on add-to-cart in
// tab A, and the time until tab B's DOM shows the new quantity and count (its MutationObserver
// callback). Both ends are epoch times (performance.timeOrigin + now) of two pages of one browser;
// BroadcastChannel pings both ways check that the two clocks agree. Beside it, the same trip on
// raw IndexedDB: A writes one record and posts on a BroadcastChannel, B reads that record and
// writes it into its DOM.
import { setTimeout as pause } from 'node:timers/promises';
import { comparePercentiles, type ScenarioOutput } from '../result.ts';
import { median, percentile, round } from '../stats.ts';
import { COUNT, GAP_MS, LINES, SETTLE_MS, addToCart, catalogSkus, clickOneMore, openApp, probeOf, withBrowser, type UiScenario } from './context.ts';

const WARM_UP = 10;
const MEASURED = 50;
const PINGS = 20;

export const tabToTabScenario: UiScenario = (env) =>
  withBrowser(env, async (context) => {
    // One after the other: A opens the profile's first cart, B then finds it current.
    const a = await openApp(context, env.origins[0]);
    const b = await openApp(context, env.origins[0]);
    // The user clicks in A, so A is the front tab; B is a background tab, whose DOM updates at once
    // but paints only when shown (its animation frames stop, so B's time is to its DOM).
    await a.bringToFront();
    const [pa, pb] = [probeOf(a), probeOf(b)];
    const [originA, originB] = [await pa.timeOrigin(), await pb.timeOrigin()];
    const skus = await catalogSkus(a, LINES);

    // One-way BroadcastChannel times measured with the two clocks: A→B reads latency + (B − A),
    // B→A reads latency − (B − A); half their difference is how far the clocks disagree.
    await pa.listenClock();
    await pb.listenClock();
    for (let i = 0; i < PINGS; i++) {
      await pa.ping();
      await pause(5);
      await pb.ping();
      await pause(5);
    }
    const [aToB, bToA] = [median(await pb.pings()), median(await pa.pings())];

    await pb.rawListen();
    const trips: number[] = [];
    const local: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < WARM_UP + MEASURED; i++) {
      const sku = skus[i % skus.length]!;
      await pause(SETTLE_MS);
      const here = await clickOneMore(a, addToCart, sku, { armAlso: () => pb.expectOneMore(sku, false) });
      const there = await pb.changed();
      await pause(GAP_MS);
      await pb.expectRaw();
      const sent = await pa.rawSend();
      const received = await pb.rawReceived();
      if (i < WARM_UP) continue;
      trips.push(originB + there.shown - (originA + here.click!.stamp));
      local.push(here.shown - here.click!.stamp);
      raw.push(received - sent);
    }
    const [countA, countB] = [await a.locator(COUNT).textContent(), await b.locator(COUNT).textContent()];
    if (countA !== countB) throw new Error(`tabs disagree: A shows ${countA}, B ${countB}`);

    const p = (samples: number[], q: number) => round(percentile(samples, q), 2);
    const notes = [
      `ui.tabToTab (n=${trips.length}): A click→B DOM p50 ${p(trips, 50)} ms, p95 ${p(trips, 95)} ms; A click→A DOM p50 ${p(local, 50)}, p95 ${p(local, 95)} ms; ` +
        `raw (write + BroadcastChannel + read + DOM) p50 ${p(raw, 50)}, p95 ${p(raw, 95)} ms`,
      `ui.tabToTab clocks: BroadcastChannel A→B ${round(aToB, 2)} ms, B→A ${round(bToA, 2)} ms (n=${PINGS}): clocks differ by ~${round((aToB - bToA) / 2, 2)} ms; ` +
        'A is the front tab, B a background tab (its DOM is timed; it paints when shown)',
    ];
    return { results: comparePercentiles('ui.tabToTab', 'ms', trips, raw), notes } satisfies ScenarioOutput;
  });
