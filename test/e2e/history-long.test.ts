// A long cart's history panel in the built app (issue 12): its newest rows are listed as soon as
// they are read, then the whole log comes in and the slider, the filter and the diff with it. A
// step asked for while the rest is read is applied once it is. The cart (5 000 events) arrives by
// importing a log file, so it is in a sandbox; the panel works there as on the live carts.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { logFileLines } from '../../src/es/logfile.ts';
import { cartHistory, newCartId } from '../bench/fixtures.ts';
import { eventually, historyRows, itemAt, openHistory, rowAt, seek, skusAt, sliderMax, textOf, useBrowser } from './cart-page.ts';

const browser = useBrowser();
const LENGTH = 5_000;

/**
 * A page whose history panel is open on a sandbox holding one cart of LENGTH events, imported
 * from a log file (the panel lists its rows as it reads them). `cartId`: that cart's id.
 */
async function openLongCart(options: { width?: number; cartId?: string } = {}): Promise<Page> {
  const page = await browser.open();
  if (options.width) await page.setViewportSize({ width: options.width, height: 740 });
  const [sku] = await skusAt(page, [0]);
  await itemAt(page, sku!).getByTestId('add-to-cart').click();
  await openHistory(page);
  const text = [...logFileLines(cartHistory(options.cartId ?? newCartId(), LENGTH, 20))].join('');
  await page.getByTestId('history-import').setInputFiles({ name: 'long.cartlog.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
  return page;
}

describe('the history of a long cart', () => {
  it('lists the newest rows, then every event: slider, filter and steps work on all of them', async () => {
    const page = await openLongCart();
    await page.getByTestId('sandbox-banner').waitFor();

    // The present and the newest row are shown whether or not the rest has been read yet.
    await rowAt(page, LENGTH).waitFor();
    await textOf(page.locator('.history-where p')).toMatch(new RegExp(`^Present · version ${LENGTH} · `));
    // Asked for at once, applied once the log is held: one step back from the present.
    await page.getByTestId('history-panel').press('ArrowLeft');
    await eventually(() => sliderMax(page)).toBe(String(LENGTH));
    await eventually(() => page.getByTestId('history-slider').inputValue()).toBe(String(LENGTH - 1));
    await expect(page.getByTestId('history-panel').getAttribute('aria-busy')).resolves.toBe('false');

    // The oldest events are there too, with their words.
    await seek(page, 2);
    await rowAt(page, 2).waitFor();
    await textOf(rowAt(page, 2).locator('.event-words')).toMatch(/^\+ .+ ×\d · /);
    await page.getByTestId('history-filter').selectOption('CartOpened');
    await eventually(() => historyRows(page).count()).toBe(1);
  });

  it('keeps a link’s version in the address while the log is read, and opens there', async () => {
    const cartId = newCartId();
    const page = await openLongCart({ cartId });
    await rowAt(page, LENGTH).waitFor();
    await page.getByTestId('history-slider').waitFor();
    // Every address the page writes from here on (the panel replaces it, never pushes).
    await page.evaluate(() => {
      const written: string[] = ((window as unknown as { written: string[] }).written = []);
      const replace = history.replaceState.bind(history);
      history.replaceState = (data, unused, url) => (written.push(String(url)), replace(data, unused, url));
    });
    await page.evaluate((id) => (location.hash = `#/history?cart=${id}&at=3`), cartId);
    await eventually(() => page.getByTestId('history-slider').inputValue()).toBe('3');
    const written = await page.evaluate(() => (window as unknown as { written: string[] }).written);
    // Before, the reading panel's present was written over the link (a reload then lost it).
    expect(written.filter((url) => !url.endsWith('&at=3'))).toEqual([]);
  });

  it('on a phone: a long version number stays clear of the row’s words, and the sheet sits on the cart’s footer', async () => {
    const page = await openLongCart({ width: 360 });
    await rowAt(page, LENGTH).waitFor();
    // "v5000" once ran under the start of "Whole milk, 1 l 16 → 57" (the version's box shrank to 3.5ch).
    const [version, words] = await Promise.all(['.event-version', '.event-words'].map((part) => rowAt(page, LENGTH).locator(part).evaluate((e) => {
      const box = e.getBoundingClientRect();
      return { left: box.left, right: box.left + Math.max(box.width, e.scrollWidth) };
    })));
    expect(version!.right).toBeLessThanOrEqual(words!.left);
    // The sheet sits on the cart's footer: no strip of the cart underneath shows between them.
    const [sheet, footer] = await Promise.all(
      ['[data-testid="history-panel"]', '#cart .cart-footer'].map((selector) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().toJSON() as DOMRect)),
    );
    expect(Math.abs(sheet!.bottom - footer!.top)).toBeLessThanOrEqual(1);
  });

  it('scrolls the row of the version shown into view as the slider and keys move it; a scroll by hand stays', async () => {
    const page = await openLongCart();
    await eventually(() => sliderMax(page)).toBe(String(LENGTH));
    const scroller = page.locator('.event-scroll');
    /** Whether the row of `version` is in the DOM and wholly inside the scroller's box. */
    const rowInView = (version: number) =>
      scroller.evaluate((box, v) => {
        const row = box.querySelector(`[data-version="${v}"]`);
        if (!row) return false;
        const [outer, inner] = [box.getBoundingClientRect(), row.getBoundingClientRect()];
        return inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
      }, version);

    for (const version of [1_234, 4_321, 17, 2_500]) {
      await seek(page, version);
      await eventually(() => rowInView(version)).toBe(true);
    }
    await page.getByTestId('history-slider').focus();
    await page.keyboard.press('ArrowRight');
    await eventually(() => rowInView(2_501)).toBe(true);
    await seek(page, 40);
    await page.keyboard.press('ArrowLeft');
    await eventually(() => rowInView(39)).toBe(true);

    // Scrolled away by hand, the list stays there until the position moves again.
    await scroller.evaluate((box) => (box.scrollTop = 200_000));
    await eventually(() => historyRows(page).first().getAttribute('data-version')).not.toBe('1');
    await page.waitForTimeout(300);
    await expect(scroller.evaluate((box) => box.scrollTop)).resolves.toBe(200_000);
    await seek(page, 3);
    await eventually(() => rowInView(3)).toBe(true);
  });
});
