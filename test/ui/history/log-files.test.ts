// Export and import from the panel, in Node: the whole log read in pages, the file it makes,
// and an import's refusal worded as "line N: reason".
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { catalog, isSandbox, validateCartData } from '../../../src/cart/index.ts';
import { readLogFile } from '../../../src/es/index.ts';
import { exportFileName, importLogFile, logFileBlob, readWholeLog } from '../../../src/ui/history/log-files.ts';
import { useCarts } from './fixtures.ts';

const { open, keep } = useCarts('log-files');

describe('exportFileName', () => {
  it('says what and when, in characters every disk takes', () => {
    const at = new Date(2026, 10, 27, 6, 5);
    expect(exportFileName('Weekend shop', at)).toBe('cartlog-weekend-shop-2026-11-27-0605.cartlog.ndjson');
    expect(exportFileName('Crème brûlée / party!!', at)).toBe('cartlog-creme-brulee-party-2026-11-27-0605.cartlog.ndjson');
    expect(exportFileName('🛒🛒', at)).toBe('cartlog-cart-2026-11-27-0605.cartlog.ndjson');
    expect(exportFileName('x'.repeat(100), at)).toMatch(/^cartlog-x{40}-2026/);
  });
});

describe('export', () => {
  it('reads the whole log across pages and writes a file the importer accepts, every event once', async () => {
    const carts = await open();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const cartId = await carts.openCart(`Cart ${i}`);
      ids.push(cartId);
      for (const product of catalog.slice(0, 3)) await carts.execute(cartId, { type: 'AddItem', data: { sku: product.sku, quantity: 1 } });
    }
    // One stored page per command here: a page limit of 1 makes 16 reads.
    const events = await readWholeLog(carts.store, 1);
    expect(events).toHaveLength(16);
    expect(new Set(events.map((e) => e.id)).size).toBe(16);

    const text = await logFileBlob(events, new Date('2026-11-27T06:00:00.000Z')).text();
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    const read = readLogFile(lines, validateCartData);
    expect(read.ok && read.header).toEqual({ format: 'cartlog', formatVersion: 1, exportedAt: '2026-11-27T06:00:00.000Z', eventCount: 16 });
    expect(read.ok && read.events).toEqual(events);
  });
});

describe('importLogFile', () => {
  it('opens a sandbox for a good file', async () => {
    const live = await open();
    const cartId = await live.openCart('Weekly');
    const file = logFileBlob(await live.store.readStream(cartId));
    const outcome = await importLogFile(file, uuidv7());
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    keep(outcome.carts);
    expect(outcome.eventCount).toBe(1);
    expect(isSandbox(outcome.carts.store.name)).toBe(true);
    expect((await outcome.carts.view(cartId))?.name).toBe('Weekly');
  });

  it('words a refusal as the first bad line and its reason', async () => {
    const outcome = await importLogFile(new Blob(['{"format":"cartlog","formatVersion":1,"exportedAt":"2026-11-27T06:00:00.000Z","eventCount":1}\n', 'nope\n']), uuidv7());
    expect(outcome).toEqual({ ok: false, message: 'line 2: not valid JSON' });
    expect(await importLogFile(new Blob([]), uuidv7())).toEqual({ ok: false, message: expect.stringMatching(/^line 1: the file is empty/) });
  });
});
