// Time-travel jump in the real app: a 100 000-event cart, the history panel open, the slider set
// to a random version (its value, then an `input` event, as a drag delivers it); timed from that
// input to the DOM showing "Version v of …" with the replayed state's item count and total (like
// ui.appendToDom: the DOM, before style, layout and paint; the next animation frame is noted).
// 200 jumps, the same versions every run. No physical baseline: an in-memory fold plus rendering.
//
// Before the jumps, the panel's open on that cart (history.firstRows100k, issue 12): from the click
// on history-toggle to the first history-event row in the DOM, and to the slider (the whole log
// read). The first open also loads the panel's chunk; then it is
// closed and opened again, each time reading the log afresh. Beside it, in the same page between
// opens, raw IndexedDB reading the head and the newest rows' pages the same way.
import { PAGE_SIZE } from '../../../src/es/db.ts';
import { profiled } from '../cpu-profile.ts';
import { compare } from '../result.ts';
import { median, percentile, round } from '../stats.ts';
import { openApp, seedLive, withBrowser, type UiScenario } from './context.ts';

const LENGTH = 100_000;
const JUMPS = 200;
const OPENS = 7;
/** What the panel's first read holds: its newest rows plus their words' look-back (FIRST_ROWS + LOOK_BACK). */
const FIRST_READ = 600;

interface Open {
  rows: number;
  whole: number;
}

export const historyJumpScenario: UiScenario = (env) =>
  withBrowser(env, async (context) => {
    const origin = env.origins[0];
    const seeded = await seedLive(context, origin, LENGTH);
    const page = await openApp(context, origin);
    const toggle = page.locator('[data-testid="history-toggle"]');
    // Click → first row, and → not busy. Rows are watched for, not polled, so the figure is the DOM's.
    const openPanel = () =>
      page.evaluate(async () => {
        const start = performance.now();
        const at = { rows: 0, whole: 0 };
        await new Promise<void>((resolve, reject) => {
          const timeout = setTimeout(() => reject(new Error('the history panel did not finish reading within 20 s')), 20_000);
          const observer = new MutationObserver(() => {
            const panel = document.querySelector('[data-testid="history-panel"]');
            if (!at.rows && panel?.querySelector('[data-testid="history-event"]')) at.rows = performance.now() - start;
            // The slider comes with the whole log (the panel is aria-busy until then).
            if (at.rows && panel?.querySelector('[data-testid="history-slider"]')) {
              at.whole = performance.now() - start;
              observer.disconnect();
              clearTimeout(timeout);
              resolve();
            }
          });
          observer.observe(document.body, { subtree: true, childList: true });
          (document.querySelector('[data-testid="history-toggle"]') as HTMLButtonElement).click();
        });
        return at;
      });
    // The raw floor of the first rows, on a connection opened beforehand (the app's is open too):
    // one transaction reading the head, then the pages holding the newest FIRST_READ events.
    const rawFirstRows = () =>
      page.evaluate(
        async ([database, cartId, wanted, pageSize]) => {
          // No named functions in here (see the jumps below): each request is awaited by hand.
          const opening = indexedDB.open(database);
          const db = await new Promise<IDBDatabase>((resolve, reject) => ((opening.onsuccess = () => resolve(opening.result)), (opening.onerror = () => reject(opening.error))));
          try {
            const start = performance.now();
            const t = db.transaction(['streams', 'pages'], 'readonly');
            const heading = t.objectStore('streams').get(cartId);
            const head = await new Promise<{ version: number }>((resolve, reject) => ((heading.onsuccess = () => resolve(heading.result)), (heading.onerror = () => reject(heading.error))));
            const from = Math.max(1, head.version - wanted + 1);
            const range = IDBKeyRange.bound([cartId, from - pageSize + 1], [cartId, Number.MAX_SAFE_INTEGER]);
            const paging = t.objectStore('pages').index('[streamId+first]').getAll(range);
            const pages = await new Promise<unknown[]>((resolve, reject) => ((paging.onsuccess = () => resolve(paging.result)), (paging.onerror = () => reject(paging.error))));
            const ms = performance.now() - start;
            if (!pages.length) throw new Error('raw first rows: no page read');
            return ms;
          } finally {
            db.close();
          }
        },
        [seeded.database, seeded.cartId, FIRST_READ, PAGE_SIZE] as const,
      );
    const opens: Open[] = [];
    const raw: number[] = [];
    const measureOpens = async () => {
      for (let i = 0; i < OPENS; i++) {
        if (i > 0) {
          await toggle.click();
          await page.locator('[data-testid="history-panel"]').waitFor({ state: 'detached' });
          raw.push(await rawFirstRows());
        }
        await page.waitForTimeout(100);
        opens.push(await openPanel());
      }
    };
    // --profile: where the opens' main-thread time goes (the whole log's read and hold).
    await (env.profile ? profiled(await context.newCDPSession(page), measureOpens) : measureOpens());
    const [cold, ...warm] = opens;
    const slider = page.locator('[data-testid="history-slider"]');
    await slider.waitFor();
    await page.waitForFunction((n) => (document.querySelector('[data-testid="history-slider"]') as HTMLInputElement | null)?.max === String(n), seeded.version);
    // Fixed-seed versions in 1..length-1 (the last one is "Present", worded differently).
    let s = 7;
    const targets = Array.from({ length: JUMPS }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return 1 + (s % (seeded.version - 1));
    });
    // No named functions in here: tsx would wrap them in a __name helper the page does not have.
    const jumps = () => page.evaluate(async (versions) => {
      const input = document.querySelector('[data-testid="history-slider"]') as HTMLInputElement;
      const out: { shown: number; frame: number }[] = [];
      for (const v of versions) {
        await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const want = `Version ${v} of `;
        const shown = new Promise<number>((resolve, reject) => {
          const timeout = setTimeout(() => reject(new Error(`jump to ${v}: the panel did not show it within 5 s`)), 5000);
          const observer = new MutationObserver(() => {
            const text = document.querySelector('.history-where')?.textContent ?? '';
            if (!text.startsWith(want) || !text.includes('·')) return;
            observer.disconnect();
            clearTimeout(timeout);
            resolve(performance.now());
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
        const start = performance.now();
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const at = await shown;
        const frame = await new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));
        out.push({ shown: at - start, frame: frame - start });
      }
      return out;
    }, targets);
    // --profile: the jumps' main-thread time too, separately from the opens'.
    const samples = await (env.profile ? profiled(await context.newCDPSession(page), jumps) : jumps());
    const frames = samples.map((x) => x.frame);
    const shown = samples.map((x) => x.shown);
    const notes = [
      `ui history open: ${seeded.version}-event cart, click → first rows ${warm.map((o) => round(o.rows, 1)).join(', ')} ms, → whole log read ${warm.map((o) => round(o.whole, 0)).join(', ')} ms ` +
        `(first open, panel chunk loaded too: rows ${round(cold!.rows, 1)} ms, whole ${round(cold!.whole, 0)} ms); raw head + the pages of the newest ${FIRST_READ} events (one transaction) ${raw.map((ms) => round(ms, 1)).join(', ')} ms`,
      `ui history jump: ${JUMPS} slider inputs on a ${seeded.version}-event cart; input → panel shows the version p50 ${percentile(shown, 50).toFixed(2)} ms, p95 ${percentile(shown, 95).toFixed(2)} ms; ` +
        `input → next animation frame p50 ${percentile(frames, 50).toFixed(2)} ms, p95 ${percentile(frames, 95).toFixed(2)} ms (no physical baseline)`,
    ];
    return {
      results: [
        compare('history.firstRows100k', 'ms', median(warm.map((o) => o.rows)), median(raw)),
        { name: 'history.wholeLog100k', unit: 'ms', value: median(warm.map((o) => o.whole)) },
        { name: 'history.jump.p95', unit: 'ms', value: percentile(shown, 95) },
      ],
      notes,
    };
  });
