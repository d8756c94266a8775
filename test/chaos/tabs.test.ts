// Four tabs of one profile pressing "+" on the same lines at once, 50 presses each: every press
// counts. Each "+" reads the quantity inside its own transaction, so presses from other tabs
// committed in between are added to, never overwritten.
import { describe, expect, it } from 'vitest';
import { addButton, catalogSkus, deviceLog, incSelector, openApp, press, report, shownCount, shownLines } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { foldLines } from './harness/fold.ts';
import { useRig } from './harness/rig.ts';

const TABS = 4;
const PRESSES = 50;
const LINES = 4;

const rig = useRig();

describe('four tabs pressing "+" at once', () => {
  it('loses no press', async () => {
    const started = Date.now();
    const server = await rig.server();
    const { device, shown, page: first } = await rig.shopper(server.url);
    const skus = await catalogSkus(first, LINES);
    for (const sku of skus) await addButton(first, sku).click();
    await expect.poll(() => shownCount(first)).toBe(LINES);
    const tabs = [first];
    for (let i = 1; i < TABS; i++) tabs.push(await openApp(device.context(), server.url));
    for (const tab of tabs) await expect.poll(() => shownCount(tab)).toBe(LINES);

    // Every tab presses all its 50 at once, round the lines, each tab starting on another line.
    await Promise.all(tabs.map((tab, t) => press(tab, skus.map((_, i) => incSelector(skus[(i + t) % LINES]!)), PRESSES)));
    const expected = Object.fromEntries(skus.map((sku) => [sku, 1 + (TABS * PRESSES) / LINES]));
    for (const tab of tabs) await expect.poll(() => shownLines(tab)).toEqual(expected);
    const count = await shownCount(first);
    const log = await deviceLog(first);
    const reloaded = await openApp(device.context(), server.url);
    const afterReload = await shownLines(reloaded);
    const presses = TABS * PRESSES;
    const figures = await countNow(shown, reloaded);
    report('tabs', started, { ...figures, presses });
    expect(figures).toMatchObject({ issued: LINES + presses, lost: 0, droppedByDevice: 0, duplicated: 0 });
    expect(count).toBe(LINES + presses);
    expect(foldLines(log)).toEqual(expected);
    expect(afterReload).toEqual(expected);
  });
});
