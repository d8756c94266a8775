// Time-travel jump in the real app: a 100 000-event cart, the history panel open, the slider set
// to a random version (its value, then an `input` event, as a drag delivers it); timed from that
// input to the DOM showing "Version v of …" with the replayed state's item count and total (like
// ui.appendToDom: the DOM, before style, layout and paint; the next animation frame is noted).
// 200 jumps, the same versions every run. No physical baseline: an in-memory fold plus rendering.
import type { BrowserContext } from 'playwright';
import { percentile } from '../stats.ts';
import { openApp, openPage, withBrowser, type UiScenario } from './context.ts';
import type { SeedApi, Seeded } from './seed.ts';

const LENGTH = 100_000;
const JUMPS = 200;

async function seed(context: BrowserContext, origin: string): Promise<Seeded> {
  const page = await openPage(context, `${origin}/bench/ui/seed.html`);
  await page.waitForSelector('body[data-ready="true"]');
  const seeded = await page.evaluate((n) => (window as unknown as { seed: SeedApi }).seed.seedLive(n, n), LENGTH);
  await page.close();
  return seeded;
}

export const historyJumpScenario: UiScenario = (env) =>
  withBrowser(env, async (context) => {
    const origin = env.origins[0];
    const seeded = await seed(context, origin);
    const page = await openApp(context, origin);
    await page.locator('[data-testid="history-toggle"]').click();
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
    const samples = await page.evaluate(async (versions) => {
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
    const frames = samples.map((x) => x.frame);
    const shown = samples.map((x) => x.shown);
    const notes = [
      `ui history jump: ${JUMPS} slider inputs on a ${seeded.version}-event cart; input → panel shows the version p50 ${percentile(shown, 50).toFixed(2)} ms, p95 ${percentile(shown, 95).toFixed(2)} ms; ` +
        `input → next animation frame p50 ${percentile(frames, 50).toFixed(2)} ms, p95 ${percentile(frames, 95).toFixed(2)} ms (no physical baseline)`,
    ];
    return { results: [{ name: 'history.jump.p95', unit: 'ms', value: percentile(shown, 95) }], notes };
  });
