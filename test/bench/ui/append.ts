// UI 1. A click to the DOM, in the built app: click add-to-cart on a product already in the cart
// (AddItem, which raises its quantity) and time from the click event's timeStamp (when the
// browser took the input) to the MutationObserver callback that sees the new line-qty and
// cart-count — the DOM, before style, layout and paint; the next animation frame is noted too.
// Beside it, timed in the same page between the clicks: the command path's floor, one raw
// readwrite transaction (read the stream head, add one record).
import { setTimeout as pause } from 'node:timers/promises';
import { LIVE_DATABASE } from '../../../src/cart/database-names.ts';
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
import { loopScript } from './loop-script.ts';

/**
 * In every run: each command transaction (readwrite over `commands`) of any database in the page,
 * from its start to its complete event — the clicks' (the app's database) and the loop's alike.
 * `--diagnose` adds, inside each, when every request was issued and answered, when the main thread
 * was free to run a task, and the first animation frame after its start. A string, not a function:
 * tsx's name helper does not exist in the page.
 */
const phasesScript = (detailed: boolean) => `(() => {
  const detailed = ${detailed};
  const phases = (window.__commandPhases = []);
  const now = () => performance.now();
  const methods = detailed ? ['get', 'getAll', 'put', 'add', 'delete', 'count', 'openCursor'] : [];
  for (const [proto, kind] of [[IDBObjectStore.prototype, 'store'], [IDBIndex.prototype, 'index']])
    for (const method of methods) {
      const original = proto[method];
      if (!original) continue;
      proto[method] = function (...args) {
        const request = original.apply(this, args);
        const entry = (kind === 'store' ? this.transaction : this.objectStore.transaction).__phase;
        if (entry) {
          const name = kind === 'store' ? this.name : this.objectStore.name + '.' + this.name;
          const step = { label: method + ' ' + name, issued: now() - entry.at, answered: NaN };
          entry.requests.push(step);
          request.addEventListener('success', () => {
            step.answered = now() - entry.at;
            if (Number.isNaN(entry.read) && method.startsWith('get')) entry.read = step.answered;
          });
        }
        return request;
      };
    }
  // The click's own handling, as the Event Timing API saw it (processing end, and when the frame after it was presented).
  const clicks = (window.__clickTimings = []);
  if (detailed)
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'click') clicks.push({ start: e.startTime, processingStart: e.processingStart, processingEnd: e.processingEnd, end: e.startTime + e.duration });
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  // Armed by the scenario after its measured clicks: a click starts the raw floor transaction
  // (probe.ts) instead of reaching the app — raw IndexedDB under the same click's input and frame.
  window.__rawOnClick = undefined;
  addEventListener('click', (event) => {
    const raw = window.__rawOnClick;
    if (!raw) return;
    event.stopImmediatePropagation();
    event.preventDefault();
    void window.cartlogProbe.floor().then((ms) => raw.push(ms));
  }, { capture: true });
  const commit = IDBTransaction.prototype.commit;
  if (detailed && commit)
    IDBTransaction.prototype.commit = function () {
      if (this.__phase) this.__phase.commit = now() - this.__phase.at;
      return commit.call(this);
    };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    if (tx.mode === 'readwrite' && [...tx.objectStoreNames].includes('commands')) {
      const entry = (tx.__phase = { db: this.name, at: now(), read: NaN, commit: NaN, done: NaN, frame: NaN, requests: [], tasks: [] });
      phases.push(entry);
      tx.addEventListener('complete', () => (entry.done = now() - entry.at));
      if (!detailed) return tx;
      // When the main thread is free to run a task, until the transaction completes: a gap
      // between two is the page busy (or rendering), not waiting on IndexedDB.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        entry.tasks.push(now() - entry.at);
        if (Number.isNaN(entry.done) && entry.tasks.length < 200) channel.port2.postMessage(0);
        else channel.port1.close();
      };
      channel.port2.postMessage(0);
      requestAnimationFrame(() => (entry.frame = now() - entry.at));
    }
    return tx;
  };
})();`;

const WARM_UP = 20;
const MEASURED = 100;
/** qty-inc (ChangeQuantity), for the notes. */
const STEPS = 50;
/** Clicks that start the raw floor instead of a command, for the notes. */
const RAW_CLICKS = 40;

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

interface Phase {
  db: string;
  at: number;
  read: number;
  done: number;
  requests: { label: string; issued: number; answered: number }[];
  /** The first animation frame callback after the start. */
  frame: number;
  /** When IDBTransaction.commit() was called (NaN: it committed by itself). */
  commit: number;
  /** When a task could run on the main thread (MessageChannel pings). */
  tasks: number[];
}

/** Each request of the command transaction in the order issued, with its median times. */
function requestTimeline(phases: readonly Phase[]): string {
  const steps = new Map<string, { issued: number[]; answered: number[] }>();
  for (const phase of phases)
    phase.requests.forEach((r, i) => {
      const key = `${i + 1}. ${r.label}`;
      const step = steps.get(key) ?? { issued: [], answered: [] };
      step.issued.push(r.issued);
      if (!Number.isNaN(r.answered)) step.answered.push(r.answered);
      steps.set(key, step);
    });
  const median = (values: number[]) => (values.length ? round(percentile(values, 50), 2) : 'n/a');
  return [...steps]
    .map(([key, s]) => `${key} ${median(s.issued)} → ${median(s.answered)}${s.issued.length < phases.length ? ` (in ${s.issued.length})` : ''}`)
    .join('; ');
}

/** The first free task after the start, and the longest stretch without one (busy) before the reads were answered. */
function busyGaps(phases: readonly Phase[]): string {
  const first: number[] = [];
  const longest: number[] = [];
  const longestAt: number[] = [];
  for (const phase of phases) {
    if (phase.tasks.length === 0) continue;
    first.push(phase.tasks[0]!);
    let gap = phase.tasks[0]!;
    let at = 0;
    for (let i = 1; i < phase.tasks.length && phase.tasks[i - 1]! < phase.read; i++)
      if (phase.tasks[i]! - phase.tasks[i - 1]! > gap) [gap, at] = [phase.tasks[i]! - phase.tasks[i - 1]!, phase.tasks[i - 1]!];
    longest.push(gap);
    longestAt.push(at);
  }
  // After the last request's answer: the longest stretch without a free task before the complete event.
  const after: number[] = [];
  const afterAt: number[] = [];
  for (const phase of phases) {
    const last = Math.max(...phase.requests.map((r) => r.answered));
    const tasks = phase.tasks.filter((t) => t >= last && t <= phase.done);
    let gap = 0;
    let at = last;
    let previous = last;
    for (const t of [...tasks, phase.done]) {
      if (t - previous > gap) [gap, at] = [t - previous, previous];
      previous = t;
    }
    after.push(gap);
    afterAt.push(at);
  }
  const median = (values: number[]) => round(percentile(values, 50), 2);
  return (
    `first free task ${median(first)}; longest busy stretch before the first read's answer ${median(longest)} (starting at ${median(longestAt)}); ` +
    `between the last request's answer and complete, the longest stretch without a free task ${median(after)} (starting at ${median(afterAt)})`
  );
}

/** The loop's database: one of its own, so the app's page does not react to the loop's writes. */
const LOOP_DB = 'bench-ui-command-loop';

export const appendToDomScenario: UiScenario = async (env) => {
  // Built before the browser starts, so the build's CPU time falls on no measurement.
  const loop = await loopScript(!env.profile);
  return withBrowser(env, async (context) => {
    const diagnose = process.argv.includes('--diagnose');
    await context.addInitScript({ content: phasesScript(diagnose) });
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
    const phaseCount = () => page.evaluate('window.__commandPhases.length') as Promise<number>;
    const measuredFrom = await phaseCount();
    await (env.profile ? profiled(await context.newCDPSession(page), measure) : measure());
    const measuredTo = await phaseCount();
    const steps: Change[] = [];
    for (let i = 0; i < STEPS; i++) {
      await pause(SETTLE_MS);
      steps.push(await clickOneMore(page, qtyInc, skus[i % skus.length]!, { frame: true }));
    }
    // The same AddItem back to back in this page, once the clicks are done and the app has settled.
    await pause(SETTLE_MS);
    await page.addScriptTag({ content: loop });
    const calls = (await page.evaluate(
      ([db, s, w, m]) => (window as unknown as LoopWindow).cartlogLoop.addItemLoop(db, s, w, m),
      [LOOP_DB, skus, WARM_UP, MEASURED] as const,
    )) as number[];
    // The raw floor started by the same kind of click, in the same page (the app's handler stopped).
    await page.evaluate('window.__rawOnClick = []');
    for (let i = 0; i < RAW_CLICKS; i++) {
      await pause(SETTLE_MS);
      const box = await addToCart(page, skus[i % skus.length]!).boundingBox();
      if (box) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    }
    await pause(SETTLE_MS);
    const rawClicked = (await page.evaluate('window.__rawOnClick')) as number[];
    await page.evaluate('window.__rawOnClick = undefined');
    const all = (await page.evaluate('window.__commandPhases')) as Phase[];
    const inPage = all.slice(measuredFrom, measuredTo).filter((x) => x.db === LIVE_DATABASE);
    const looped = all.filter((x) => x.db === LOOP_DB).slice(-MEASURED);
    if (inPage.length !== MEASURED || looped.length !== MEASURED)
      throw new Error(`ui-append: ${inPage.length} command transactions timed in the page and ${looped.length} in the loop, ${MEASURED} each expected`);
    const txInPage = percentile(inPage.map((x) => x.done), 50);
    const txLooped = percentile(looped.map((x) => x.done), 50);

    const total = clicks.map((c) => phases(c).total);
    const p = (values: number[]) => `${round(percentile(values, 50), 2)}/${round(percentile(values, 95), 2)}`;
    const notes = [
      summary('ui.appendToDom add-to-cart', clicks),
      summary('ui.appendToDom qty-inc', steps),
      `ui.appendToDom floor (one raw readwrite transaction, same page): p50 ${round(percentile(floors, 50), 2)} ms, p95 ${round(percentile(floors, 95), 2)} ms`,
      'ui.appendToDom stops at the DOM mutation (before style, layout, paint); "next frame" is the rAF after it, where the painting frame starts',
      `command.addItem.inPage.vsLoop: the AddItem command transaction (its start → complete, p50/p95 ms, n=${MEASURED} each, same page) after a click ${p(inPage.map((x) => x.done))}, ` +
        `back to back in a loop ${p(looped.map((x) => x.done))} (the whole carts.execute call in the loop ${p(calls)}); ` +
        `the raw floor transaction (get a head, add a record) started by a click in the same page ${rawClicked.length ? p(rawClicked) : 'n/a'} (n=${rawClicked.length}) vs between clicks ${p(floors)}`,
    ];
    if (diagnose) {
      const phases = all.filter((x) => x.db === LIVE_DATABASE).slice(-(MEASURED + STEPS));
      notes.push(
        `ui.appendToDom command transaction (p50/p95 ms from its start, n=${phases.length}): first reads answered ${p(phases.map((x) => x.read))}, commit() called ${p(phases.map((x) => x.commit))}, complete ${p(phases.map((x) => x.done))}`,
        `ui.appendToDom command transaction's requests (p50 ms from its start: issued → answered): ${requestTimeline(phases)}`,
        `ui.appendToDom main thread during the command transaction (p50 ms from its start): ${busyGaps(phases)}; first animation frame ${p(phases.map((x) => x.frame))}`,
        `command loop's transaction (p50/p95 ms from its start, n=${looped.length}): first reads answered ${p(looped.map((x) => x.read))}, commit() called ${p(looped.map((x) => x.commit))}, complete ${p(looped.map((x) => x.done))}`,
        `command loop's requests (p50 ms from its start: issued → answered): ${requestTimeline(looped)}`,
        `command loop's main thread (p50 ms from its start): ${busyGaps(looped)}`,
      );
      const timings = (await page.evaluate('window.__clickTimings')) as { start: number; processingStart: number; processingEnd: number; end: number }[];
      if (timings.length)
        notes.push(
          `ui.appendToDom clicks by Event Timing (p50/p95 ms from the click's timeStamp, n=${timings.length}, only those over 16 ms): handlers start ${p(timings.map((t) => t.processingStart - t.start))}, end ${p(timings.map((t) => t.processingEnd - t.start))}, next paint ${p(timings.map((t) => t.end - t.start))}`,
        );
    }
    return {
      results: [...comparePercentiles('ui.appendToDom', 'ms', total, floors), { name: 'command.addItem.inPage.vsLoop', unit: 'x', value: txInPage / txLooped }],
      notes,
    } satisfies ScenarioOutput;
  });
};

type LoopWindow = Window & { cartlogLoop: typeof import('./command-loop.ts') };
