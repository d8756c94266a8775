// A full disk, as the browser tells it (CDP Storage.overrideQuotaForOrigin gives the origin a
// quota of 300 kB before it first stores anything; the app shell's cache counts too): the
// refused change says storage is full, nothing of it is half-written, and the cart after a
// reload is exactly what the page showed.
import { describe, expect, it } from 'vitest';
import { catalogSkus, deviceLog, openApp, report, shownCount, shownLines, sum } from './harness/cart.ts';
import { foldLines } from './harness/fold.ts';
import { useRig } from './harness/rig.ts';

const MAX_CLICKS = 700; // 8 lines × 99 at most
const QUOTA_BYTES = 300_000;

const rig = useRig();

describe('a full disk', () => {
  it('refuses with the reason, writes nothing half, and shows after a reload what it showed', async () => {
    const started = Date.now();
    const server = await rig.server();
    const device = await rig.device();
    // Chromium reads an origin's quota when its storage opens: override it before the first visit.
    const origin = new URL(server.url).origin;
    const blank = await device.context().newPage();
    const cdp = await device.context().newCDPSession(blank);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: QUOTA_BYTES });
    const page = await openApp(device.context(), server.url);
    const skus = await catalogSkus(page, 8);

    // Add until the browser refuses; every accepted click shows one more. Each click waits, in
    // the page, for what it led to: one more in the count, or the refusal.
    const shownBefore = await shownCount(page);
    const outcome = await page.evaluate(
      async ({ skus, max }) => {
        const count = () => Number(document.querySelector('[data-testid="cart-count"]')?.textContent);
        const refusal = () => document.querySelector('[data-testid="error-message"]')?.textContent ?? '';
        let slowest = 0;
        for (let i = 0; i < max; i++) {
          const was = count();
          const began = performance.now();
          document.querySelector<HTMLButtonElement>(`[data-testid="catalog-item"][data-sku="${skus[i % skus.length]}"] [data-testid="add-to-cart"]`)!.click();
          const answered = await new Promise<boolean>((settled) => {
            const timer = setTimeout(() => (observer.disconnect(), settled(false)), 20_000);
            const check = () => (count() !== was || refusal() ? (observer.disconnect(), clearTimeout(timer), settled(true)) : undefined);
            const observer = new MutationObserver(check);
            observer.observe(document.body, { subtree: true, childList: true, characterData: true });
            check();
          });
          slowest = Math.max(slowest, performance.now() - began);
          if (!answered) return { shown: count(), refusal: '', slowest, clicks: i + 1, stuck: `a click neither counted nor was refused: ${document.querySelector('main')?.textContent?.slice(0, 300)}` };
          if (refusal()) return { shown: count(), refusal: refusal(), slowest, clicks: i + 1, stuck: '' };
        }
        return { shown: count(), refusal: '', slowest, clicks: max, stuck: '' };
      },
      { skus, max: MAX_CLICKS },
    );
    const { shown, refusal } = outcome;
    if (outcome.stuck) console.log(`chaos full-disk: click ${outcome.clicks} (${outcome.shown} shown) stuck: ${outcome.stuck}`);
    expect(outcome.stuck).toBe('');
    const accepted = shown - shownBefore;
    const before = await shownLines(page);
    report('full-disk', started, { events: (await deviceLog(page)).length, acceptedAfterQuota: accepted, refused: refusal ? 1 : 0, slowestClickMs: Math.round(outcome.slowest), lost: 0, duplicated: 0 });
    expect(refusal).toMatch(/no room left to store|storage is full|disk is full/i);
    expect(accepted).toBe(outcome.clicks - 1);
    expect(await shownCount(page)).toBe(shown);
    expect(sum(before)).toBe(shown);

    await page.reload();
    await page.getByTestId('cart-status').waitFor();
    const after = await shownLines(page);
    const log = await deviceLog(page);
    report('full-disk after reload', started, { events: log.length, lost: Math.max(0, shown - sum(after)), duplicated: Math.max(0, sum(after) - shown) });
    expect(after).toEqual(before);
    expect(foldLines(log)).toEqual(before);

  });
});
