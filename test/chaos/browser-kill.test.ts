// The browser process killed (SIGKILL, the whole process group) in the middle of a burst of
// clicks: after it starts again on the same profile, every change the page had shown is there,
// no click counts twice, and the lines add up to the count.
import { describe, expect, it } from 'vitest';
import { addSelector, catalogSkus, deviceLog, openApp, press, report, shownCount, shownLines, sum } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { foldLines } from './harness/fold.ts';
import { useRig } from './harness/rig.ts';
import { recordShown } from './harness/shown.ts';

const ROUNDS = 3;
const CLICKS_PER_ROUND = 120;
const SKUS = 8; // 3 × 120 clicks over 8 lines stays under the 99 a line may hold

const rig = useRig();

describe('the browser killed mid-burst', () => {
  it('keeps every change the page showed, once, with lines that add up to the count', async () => {
    const started = Date.now();
    const server = await rig.server();
    const shown = recordShown();
    const device = await rig.device({ onStart: shown.attach });
    let lastCount = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const page = await openApp(device.context(), server.url);
      const before = await shownCount(page);
      const skus = await catalogSkus(page, SKUS);
      // Clicks as fast as a page takes them, each a real click event on an add button; the kill
      // ends the page's loop (and so this call) while clicks are still coming.
      void press(page, skus.map(addSelector), CLICKS_PER_ROUND, 2).catch(() => {});
      await expect.poll(() => shownCount(page), { interval: 20 }).toBeGreaterThanOrEqual(before + CLICKS_PER_ROUND / 3);
      await device.kill();

      await device.restart();
      const reopened = await openApp(device.context(), server.url);
      const count = await shownCount(reopened);
      const lines = await shownLines(reopened);
      const log = await deviceLog(reopened);
      const figures = await countNow(shown, reopened);
      report(`browser-kill round ${round}`, started, { runs: round, ...figures, shownBeforeReopen: before, count, carts: new Set(log.map((e) => e.streamId)).size });
      // The reopened page showed what survived the last kill.
      expect(before).toBe(lastCount);
      expect(figures).toMatchObject({ lost: 0, droppedByDevice: 0, duplicated: 0 });
      expect(new Set(log.map((e) => e.streamId)).size).toBe(1);
      expect(count).toBe(figures.onDevice);
      expect(sum(lines)).toBe(count);
      // The read model is the log's: the lines shown are what the stored events add up to.
      expect(foldLines(log)).toEqual(lines);
      lastCount = count;
      await reopened.close();
    }
  });
});
