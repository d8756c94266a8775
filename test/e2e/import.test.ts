// Export and import in the built app: a cart's log (or every cart's) downloads as a
// .cartlog.ndjson file; importing it opens a sandbox that shows the same carts at every version,
// apart from the live ones; a bad file is refused with its line and reason and leaves no trace.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import {
  baseUrl,
  eventually,
  historyRows,
  itemAt,
  lineOf,
  lineSkus,
  openHistory,
  seek,
  shownCart,
  skusAt,
  sliderMax,
  switcherIds,
  textOf,
  useBrowser,
  type ShownCart, valueOf } from './cart-page.ts';

const browser = useBrowser();

/** v1 opened … v8 renamed "Exported": a×3 and c×1 left, b added and removed. */
async function shop(page: Page): Promise<[string, string, string]> {
  const skus = (await skusAt(page, [0, 15, 30])) as [string, string, string];
  const [a, b, c] = skus;
  for (const sku of [a, a, b, c, a]) await itemAt(page, sku).getByTestId('add-to-cart').click();
  await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('3');
  await eventually(() => lineSkus(page)).toEqual([a, b, c]);
  await lineOf(page, b).getByTestId('line-remove').click();
  await eventually(() => lineSkus(page)).toEqual([a, c]);
  await page.getByTestId('cart-rename').click();
  await page.getByTestId('cart-name').fill('Exported');
  await page.getByTestId('cart-name').press('Enter');
  await textOf(page.getByTestId('cart-name')).toBe('Exported');
  return skus;
}

/** Clicks an export button and returns the file the browser downloaded. */
async function downloaded(page: Page, testid: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
}

async function importText(page: Page, name: string, text: string): Promise<void> {
  await page.getByTestId('history-import').setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
}

/** The cart shown at every version of the slider, 0 to max. */
async function everyVersion(page: Page): Promise<ShownCart[]> {
  const max = Number(await sliderMax(page));
  const shown: ShownCart[] = [];
  for (let version = 0; version <= max; version++) {
    await seek(page, version);
    // The cart panel follows the slider in the same tick; read it once it shows this version.
    shown.push(await shownCart(page));
  }
  return shown;
}

const sandboxDatabases = (page: Page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? '').filter((name) => name.includes('sandbox')));

describe('export and import', () => {
  it('round-trips a cart: the sandbox shows it the same at every version; commands there stay there; exit returns to the live carts', async () => {
    const page = await browser.open();
    const [a, , c] = await shop(page);
    const cartId = await page.getByTestId('cart-switcher').inputValue();
    await openHistory(page);
    const live = await everyVersion(page);
    expect(live).toHaveLength(9);

    const file = await downloaded(page, 'history-export');
    expect(file.name).toMatch(/^cartlog-exported-.*\.cartlog\.ndjson$/);
    const lines = file.text.trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'cartlog', formatVersion: 1, eventCount: 8 });
    expect(lines.slice(1).map((line) => JSON.parse(line).version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    await importText(page, file.name, file.text);
    const banner = page.getByTestId('sandbox-banner');
    await textOf(banner).toMatch(new RegExp(`${file.name.replace(/\./g, '\\.')}[\\s\\S]*8 events`));
    await textOf(banner).toMatch(/sandbox/i);
    expect(await page.getByTestId('cart-switcher').inputValue()).toBe(cartId);
    await eventually(() => sliderMax(page)).toBe('8');
    expect(await everyVersion(page)).toEqual(live);
    expect(await sandboxDatabases(page)).toHaveLength(1);

    // A command in the sandbox changes the sandbox; the banner stays, also after a reload.
    await itemAt(page, c).getByTestId('add-to-cart').click();
    await valueOf(lineOf(page, c).getByTestId('line-qty')).toBe('2');
    await page.reload();
    await textOf(page.getByTestId('sandbox-banner')).toMatch(/8 events/);
    await valueOf(lineOf(page, c).getByTestId('line-qty')).toBe('2');
    // Another tab of the same profile is on the live carts.
    const other = await browser.context().newPage();
    await other.goto(baseUrl);
    await valueOf(lineOf(other, c).getByTestId('line-qty')).toBe('1');
    expect(await other.getByTestId('sandbox-banner').count()).toBe(0);

    await page.getByTestId('sandbox-exit').click();
    await eventually(() => page.getByTestId('sandbox-banner').count()).toBe(0);
    await valueOf(lineOf(page, c).getByTestId('line-qty')).toBe('1');
    await valueOf(lineOf(page, a).getByTestId('line-qty')).toBe('3');
    expect(await page.getByTestId('cart-switcher').inputValue()).toBe(cartId);
    await eventually(() => sandboxDatabases(page)).toEqual([]);
    await page.reload();
    await page.getByTestId('cart-status').waitFor();
    expect(await page.getByTestId('sandbox-banner').count()).toBe(0);
  });

  it('exports every cart: the sandbox holds all of them', async () => {
    const page = await browser.open();
    await shop(page);
    await page.getByTestId('new-cart').click();
    await eventually(() => switcherIds(page)).toHaveLength(2);
    const ids = await switcherIds(page);
    await openHistory(page);

    const file = await downloaded(page, 'history-export-all');
    expect(file.name).toMatch(/^cartlog-all-carts-.*\.cartlog\.ndjson$/);
    expect(JSON.parse(file.text.split('\n')[0]!)).toMatchObject({ eventCount: 9 });

    await importText(page, file.name, file.text);
    await textOf(page.getByTestId('sandbox-banner')).toMatch(/9 events/);
    await eventually(async () => (await switcherIds(page)).sort()).toEqual([...ids].sort());
    await page.getByTestId('sandbox-exit').click();
    await eventually(() => page.getByTestId('sandbox-banner').count()).toBe(0);
  });

  it('the picker is a labelled button, not the engine\'s file field: it opens from a click or the keyboard and says the file chosen and why it was refused', async () => {
    const page = await browser.open();
    await shop(page);
    await openHistory(page);
    const input = page.getByTestId('history-import');
    const button = page.locator('label.file-button');
    const chosen = page.getByTestId('import-chosen');

    // The input is the labelled control, out of sight; its label is what shows.
    expect(await input.evaluate((element) => (element as HTMLInputElement).type)).toBe('file');
    expect(await page.getByLabel('Import into a sandbox…').getAttribute('data-testid')).toBe('history-import');
    await textOf(button).toBe('Import into a sandbox…');
    expect(await button.isVisible()).toBe(true);
    const box = (await input.boundingBox())!;
    expect(box.width * box.height).toBeLessThanOrEqual(1);
    await textOf(chosen).toMatch(/\.cartlog\.ndjson file/);

    // A click on the button opens the picker; the file chosen and the refusal show beside it.
    const [picker] = await Promise.all([page.waitForEvent('filechooser'), button.click()]);
    await picker.setFiles({ name: 'broken.cartlog.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"not": "an event"}\n') });
    await textOf(page.getByTestId('import-error')).toMatch(/broken\.cartlog\.ndjson.*line 1/);
    await textOf(chosen).toBe('“broken.cartlog.ndjson” — not imported');
    // Screen readers hear the choice with the control.
    expect(await input.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby')!)?.textContent?.trim())).toBe(
      '“broken.cartlog.ndjson” — not imported',
    );

    // From the keyboard: Tab reaches it after the exports, with the focus ring on the button; Space opens it.
    await page.getByTestId('history-export-all').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('history-import');
    expect(await button.evaluate((label) => getComputedStyle(label).outlineStyle)).toBe('solid');
    const { text } = await downloaded(page, 'history-export');
    await page.getByTestId('history-export-all').focus();
    await page.keyboard.press('Tab');
    const [again] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await again.setFiles({ name: 'good.cartlog.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
    await textOf(page.getByTestId('sandbox-banner')).toMatch(/good\.cartlog\.ndjson/);
  });

  it('refuses every kind of bad file with its line and reason, and imports nothing', async () => {
    const page = await browser.open();
    await shop(page);
    await openHistory(page);
    const { text } = await downloaded(page, 'history-export');
    const [header, ...events] = text.trimEnd().split('\n') as [string, ...string[]];
    const before = { ids: await switcherIds(page), cart: await shownCart(page), rows: await historyRows(page).count() };

    const edit = (line: string, change: (event: Record<string, unknown>) => void) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      change(event);
      return JSON.stringify(event);
    };
    const file = (body: string[], count = body.length) => [JSON.stringify({ ...JSON.parse(header), eventCount: count }), ...body].join('\n') + '\n';
    const cases: [what: string, content: string, refusal: RegExp][] = [
      ['not JSON', file([events[0]!, '{"id": nope', ...events.slice(2)]), /line 3: not valid JSON/],
      ['wrong header', [JSON.stringify({ ...JSON.parse(header), format: 'other' }), ...events].join('\n'), /line 1: .*not a cartlog export/],
      ['wrong count', file(events, events.length + 1), /line 1: the header says 9 events, but the file has 8/],
      ['wrong shape', file([events[0]!, edit(events[1]!, (e) => (e.version = 'two')), ...events.slice(2)]), /line 3: version/],
      ['broken version chain', file([events[0]!, ...events.slice(2)]), /line 3: .*jumps from version 1 to 3/],
      ['unknown type', file([events[0]!, edit(events[1]!, (e) => (e.type = 'ItemStolen')), ...events.slice(2)]), /line 3: type must be one of/],
      ['unknown schemaVersion', file([...events.slice(0, 3), edit(events[3]!, (e) => (e.schemaVersion = 9)), ...events.slice(4)]), /line 5: schemaVersion/],
      ['id twice', file([events[0]!, events[1]!, edit(events[2]!, (e) => (e.id = JSON.parse(events[1]!).id)), ...events.slice(3)]), /line 4: id .* appears twice \(first on line 3\)/],
      ['empty', '', /line 1: the file is empty/],
    ];
    for (const [what, content, refusal] of cases) {
      await importText(page, `${what}.cartlog.ndjson`, content);
      await textOf(page.getByTestId('import-error')).toMatch(refusal);
      expect(await page.getByTestId('import-error').textContent(), what).toContain(`${what}.cartlog.ndjson`);
      expect(await page.getByTestId('sandbox-banner').count(), what).toBe(0);
      expect(await sandboxDatabases(page), what).toEqual([]);
    }
    expect({ ids: await switcherIds(page), cart: await shownCart(page), rows: await historyRows(page).count() }).toEqual(before);

    // A good file afterwards clears the refusal and opens the sandbox.
    await importText(page, 'good.cartlog.ndjson', text);
    await textOf(page.getByTestId('sandbox-banner')).toMatch(/good\.cartlog\.ndjson/);
    expect(await page.getByTestId('import-error').count()).toBe(0);
  });
});
