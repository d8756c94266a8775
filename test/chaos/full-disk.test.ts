// A full disk, as the browser tells it (CDP Storage.overrideQuotaForOrigin gives the origin a
// quota of 300 kB before it first stores anything; the app shell's cache counts too): the
// refused change says storage is full, nothing of it is half-written, and the cart after a
// reload is exactly what the page showed. (A real full disk, another code path in the browser:
// disk-full-tmpfs.test.ts.)
import { describe, expect, it } from 'vitest';
import { catalogSkus, deviceLog, openApp, report, shownCount, shownLines, sum } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { foldLines } from './harness/fold.ts';
import { useRig } from './harness/rig.ts';
import { recordShown } from './harness/shown.ts';
import { addUntilRefused, STORAGE_FULL } from './harness/until-refused.ts';

const MAX_CLICKS = 700; // 8 lines × 99 at most
const QUOTA_BYTES = 300_000;

const rig = useRig();

describe('a full disk', () => {
  it('refuses with the reason, writes nothing half, and shows after a reload what it showed', async () => {
    const started = Date.now();
    const server = await rig.server();
    const shown = recordShown();
    const device = await rig.device({ onStart: shown.attach });
    // Chromium reads an origin's quota when its storage opens: override it before the first visit.
    const origin = new URL(server.url).origin;
    const blank = await device.context().newPage();
    const cdp = await device.context().newCDPSession(blank);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: QUOTA_BYTES });
    const page = await openApp(device.context(), server.url);
    const skus = await catalogSkus(page, 8);

    const shownBefore = await shownCount(page);
    const outcome = await addUntilRefused(page, skus, MAX_CLICKS, 20_000);
    const before = await shownLines(page);
    report('full-disk', started, { ...(await countNow(shown, page)), clicks: outcome.clicks, slowestClickMs: Math.round(outcome.slowestMs), stuck: outcome.stuck || undefined });
    expect(outcome.stuck).toBe('');
    expect(outcome.refusal).toMatch(STORAGE_FULL);
    expect(outcome.shown - shownBefore).toBe(outcome.clicks - 1);
    expect(await shownCount(page)).toBe(outcome.shown);
    expect(sum(before)).toBe(outcome.shown);

    await page.reload();
    await page.getByTestId('cart-status').waitFor();
    const after = await shownLines(page);
    const log = await deviceLog(page);
    const figures = await countNow(shown, page);
    report('full-disk after reload', started, figures);
    expect(figures).toMatchObject({ lost: 0, droppedByDevice: 0, duplicated: 0, refused: 1 });
    expect(after).toEqual(before);
    expect(foldLines(log)).toEqual(before);
  });
});
