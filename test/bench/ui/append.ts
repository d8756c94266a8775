// UI 1. A click to the DOM, in the built app: click add-to-cart on a product already in the cart
// (AddItem, which raises its quantity) and time from the click event's timeStamp (when the
// browser took the input) to the MutationObserver callback that sees the new line-qty and
// cart-count — the DOM, before style, layout and paint; the next animation frame is noted too.
// Beside it, timed in the same page between the clicks: the command path's floor, one raw
// readwrite transaction (read the stream head, add one record).
import { setTimeout as pause } from 'node:timers/promises';
import { profiled } from '../cpu-profile.ts';
import { comparePercentiles, type ScenarioOutput } from '../result.ts';
import { percentile, round } from '../stats.ts';
import {
  GAP_MS,
  LINES,
  SETTLE_MS,
  addToCart,
  catalogSkus,
  clickOneMore,
  openApp,
  probeOf,
  qtyInc,
  withBrowser,
  type Change,
  type UiScenario,
} from './context.ts';

/**
 * `--diagnose`: inside each command transaction (readwrite over `commands`), when its first reads
 * (journal, head, rows) are answered and when it completes, from its start. A string, not a
 * function: tsx's name helper does not exist in the page.
 */
const PHASES_SCRIPT = `(() => {
  const phases = (window.__commandPhases = []);
  const now = () => performance.now();
  const get = IDBObjectStore.prototype.get;
  IDBObjectStore.prototype.get = function (...args) {
    const request = get.apply(this, args);
    const entry = this.transaction.__phase;
    if (entry && Number.isNaN(entry.read)) request.addEventListener('success', () => (entry.read = now() - entry.at));
    return request;
  };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    if (tx.mode === 'readwrite' && [...tx.objectStoreNames].includes('commands')) {
      const entry = (tx.__phase = { at: now(), read: NaN, done: NaN });
      phases.push(entry);
      tx.addEventListener('complete', () => (entry.done = now() - entry.at));
    }
    return tx;
  };
})();`;

const WARM_UP = 20;
const MEASURED = 100;
/** qty-inc (ChangeQuantity), for the notes. */
const STEPS = 50;

/** Where one change's time went, in ms. */
function phases(c: Change) {
  const click = c.click!;
  const write = c.transactions.find((tx) => tx.mode === 'readwrite' && tx.at >= click.dispatched);
  return {
    total: c.shown - click.stamp,
    input: click.dispatched - click.stamp,
    toWrite: write ? write.at - click.dispatched : NaN,
    write: write ? write.done - write.at : NaN,
    toDom: write ? c.shown - write.done : NaN,
    frame: c.frame === undefined ? NaN : c.frame - click.stamp,
    transactions: c.transactions.filter((tx) => tx.at >= click.dispatched).length,
  };
}

function summary(label: string, changes: Change[]): string {
  const rows = changes.map(phases);
  const stat = (key: keyof ReturnType<typeof phases>) => {
    const values = rows.map((r) => r[key]).filter((v) => !Number.isNaN(v));
    return values.length ? `${round(percentile(values, 50), 2)}/${round(percentile(values, 95), 2)}` : 'n/a';
  };
  return (
    `${label} (p50/p95 ms, n=${rows.length}): click→DOM ${stat('total')}; input (timeStamp→handler) ${stat('input')}, ` +
    `handler→command transaction ${stat('toWrite')}, command transaction ${stat('write')}, its commit→DOM ${stat('toDom')}; ` +
    `click→next frame ${stat('frame')}; IndexedDB transactions per click ${stat('transactions')}: ${transactionKinds(changes)}`
  );
}

/** Each kind of transaction seen after the clicks: how many per click, and its median duration. */
function transactionKinds(changes: Change[]): string {
  const kinds = new Map<string, number[]>();
  for (const c of changes)
    for (const tx of c.transactions.filter((t) => t.at >= c.click!.dispatched)) {
      const key = `${tx.mode} [${tx.stores}]`;
      kinds.set(key, [...(kinds.get(key) ?? []), tx.done - tx.at]);
    }
  return [...kinds]
    .map(([key, ms]) => {
      const completed = ms.filter((m) => !Number.isNaN(m));
      return `${key} ×${round(ms.length / changes.length, 2)}, median ${completed.length ? round(percentile(completed, 50), 2) : 'n/a'} ms`;
    })
    .join('; ');
}

export const appendToDomScenario: UiScenario = (env) =>
  withBrowser(env, async (context) => {
    const diagnose = process.argv.includes('--diagnose');
    if (diagnose) await context.addInitScript({ content: PHASES_SCRIPT });
    const page = await openApp(context, env.origins[0]);
    const probe = probeOf(page);
    const skus = await catalogSkus(page, LINES);
    const clicks: Change[] = [];
    const floors: number[] = [];
    const sample = async (i: number) => {
      await pause(SETTLE_MS);
      const floor = await probe.floor();
      await pause(GAP_MS);
      const change = await clickOneMore(page, addToCart, skus[i % skus.length]!, { frame: true });
      if (i >= WARM_UP) clicks.push(change), floors.push(floor);
    };
    for (let i = 0; i < WARM_UP; i++) await sample(i);
    const measure = async () => {
      for (let i = WARM_UP; i < WARM_UP + MEASURED; i++) await sample(i);
    };
    await (env.profile ? profiled(await context.newCDPSession(page), measure) : measure());
    const steps: Change[] = [];
    for (let i = 0; i < STEPS; i++) {
      await pause(SETTLE_MS);
      steps.push(await clickOneMore(page, qtyInc, skus[i % skus.length]!, { frame: true }));
    }

    const total = clicks.map((c) => phases(c).total);
    const notes = [
      summary('ui.appendToDom add-to-cart', clicks),
      summary('ui.appendToDom qty-inc', steps),
      `ui.appendToDom floor (one raw readwrite transaction, same page): p50 ${round(percentile(floors, 50), 2)} ms, p95 ${round(percentile(floors, 95), 2)} ms`,
      'ui.appendToDom stops at the DOM mutation (before style, layout, paint); "next frame" is the rAF after it, where the painting frame starts',
    ];
    if (diagnose) {
      const phases = ((await page.evaluate('window.__commandPhases')) as { read: number; done: number }[]).slice(-(MEASURED + STEPS));
      const p = (values: number[]) => `${round(percentile(values, 50), 2)}/${round(percentile(values, 95), 2)}`;
      notes.push(
        `ui.appendToDom command transaction (p50/p95 ms from its start, n=${phases.length}): first reads answered ${p(phases.map((x) => x.read))}, complete ${p(phases.map((x) => x.done))}`,
      );
    }
    return { results: comparePercentiles('ui.appendToDom', 'ms', total, floors), notes } satisfies ScenarioOutput;
  });
