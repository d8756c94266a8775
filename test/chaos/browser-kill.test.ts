// The browser process killed (SIGKILL, the whole process group) in the middle of a burst of
// clicks: after it starts again on the same profile, every change the page had shown is there,
// no click counts twice, and the lines add up to the count.
import { describe, expect, it } from 'vitest';
import { catalogSkus, deviceLog, openApp, report, shownCount, shownLines, sum } from './harness/cart.ts';
import { foldLines } from './harness/fold.ts';
import { useRig } from './harness/rig.ts';

const ROUNDS = 3;
const CLICKS_PER_ROUND = 120;
const SKUS = 8; // 3 × 120 clicks over 8 lines stays under the 99 a line may hold

const rig = useRig();

describe('the browser killed mid-burst', () => {
  it('keeps every change the page showed, once, with lines that add up to the count', async () => {
    const started = Date.now();
    const server = await rig.server();
    const device = await rig.device();
    let clicked = 0;
    let lost = 0;
    let duplicated = 0;
    let lastCount = 0;
    let events = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const page = await openApp(device.context(), server.url);
      const before = await shownCount(page);
      // The reopened page shows what survived the last kill: nothing it had shown is missing.
      expect(before).toBe(lastCount);
      const skus = await catalogSkus(page, SKUS);
      // Clicks as fast as a page takes them, each a real click event on an add button.
      await page.evaluate(
        ({ skus, clicks }) => {
          const w = window as unknown as { chaosClicked: number };
          w.chaosClicked = 0;
          void (async () => {
            for (let i = 0; i < clicks; i++) {
              const button = document.querySelector<HTMLButtonElement>(`[data-testid="catalog-item"][data-sku="${skus[i % skus.length]}"] [data-testid="add-to-cart"]`);
              button?.click();
              w.chaosClicked++;
              await new Promise((r) => setTimeout(r, 2));
            }
          })();
        },
        { skus, clicks: CLICKS_PER_ROUND },
      );
      // Kill once the page has shown a good part of the burst, while clicks are still coming.
      await expect.poll(() => shownCount(page), { interval: 20 }).toBeGreaterThanOrEqual(before + CLICKS_PER_ROUND / 3);
      const { shown, issued } = await page.evaluate(() => ({
        shown: Number(document.querySelector('[data-testid="cart-count"]')?.textContent),
        issued: (window as unknown as { chaosClicked: number }).chaosClicked,
      }));
      await device.kill();
      clicked += issued;

      await device.restart();
      const reopened = await openApp(device.context(), server.url);
      const count = await shownCount(reopened);
      const lines = await shownLines(reopened);
      const log = await deviceLog(reopened);
      const streams = new Set(log.map((e) => e.streamId));
      lost += Math.max(0, shown - count);
      duplicated += Math.max(0, count - clicked);
      console.log(`chaos browser-kill round ${round + 1}: shown ${shown} before the kill, ${count} after, ${clicked} clicks so far`);
      expect(streams.size).toBe(1);
      expect(count).toBeGreaterThanOrEqual(shown);
      expect(count).toBeLessThanOrEqual(clicked);
      expect(sum(lines)).toBe(count);
      // The read model is the log's: the lines shown are what the stored events add up to.
      expect(foldLines(log)).toEqual(lines);
      lastCount = count;
      events = log.length;
      await reopened.close();
    }
    report('browser-kill', started, { runs: ROUNDS, events, clicks: clicked, count: lastCount, lost, duplicated });
  });
});
