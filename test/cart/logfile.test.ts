// The export file (CONTRACT §4) with real cart events: a round trip, and every class of bad file
// refused with its first bad line and a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { Dexie } from 'dexie';
import { catalog, importIntoSandbox, openCarts, validateCartData, type Carts } from '../../src/cart/index.ts';
import { checkFileSize, deleteEventStore, exportOrder, logFileLines, readLogFile, type EventEnvelope } from '../../src/es/index.ts';
import { uniqueName } from '../es/fixtures.ts';

let carts: Carts;
let events: EventEnvelope[];

beforeAll(async () => {
  carts = await openCarts({ name: uniqueName('logfile'), deviceId: uuidv7() });
  const a = await carts.openCart('Weekly');
  const b = await carts.openCart('Party');
  await carts.execute(a, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 2 } });
  await carts.execute(b, { type: 'AddItem', data: { sku: catalog[1]!.sku, quantity: 1 } });
  await carts.execute(a, { type: 'ChangeQuantity', data: { sku: catalog[0]!.sku, quantity: 5 } });
  events = (await carts.store.readLog()).events;
});

afterAll(async () => {
  carts.close();
  await deleteEventStore(carts.store.name);
});

const fileOf = (evts: unknown[], header: Record<string, unknown> = {}) => [
  JSON.stringify({ format: 'cartlog', formatVersion: 1, exportedAt: '2026-11-27T06:00:00.000Z', eventCount: evts.length, ...header }),
  ...evts.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
];
const read = (lines: string[]) => readLogFile(lines, validateCartData);

describe('export file', () => {
  it('round-trips: header first, every event once, each stream in version order', () => {
    const text = [...logFileLines(events, new Date('2026-11-27T06:00:00Z'))].join('');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ format: 'cartlog', formatVersion: 1, exportedAt: '2026-11-27T06:00:00.000Z', eventCount: 5 });
    const result = read(lines);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.events).toEqual(events);
  });

  it('puts confirmed events first by position, then pending ones in local order', () => {
    const [e1, e2, e3] = events;
    const ordered = exportOrder([{ ...e1!, position: 9 }, e2!, { ...e3!, position: 4 }]);
    expect(ordered.map((e) => e.id)).toEqual([e3!.id, e1!.id, e2!.id]);
  });

  it('accepts an empty export: a header with eventCount 0', () => {
    expect(read(fileOf([]))).toMatchObject({ ok: true, events: [] });
  });

  const bad: [string, () => string[], number, RegExp][] = [
    ['an empty file', () => [], 1, /empty/],
    ['a header that is not JSON', () => ['{format: cartlog', ...fileOf(events).slice(1)], 1, /header is not valid JSON/],
    ['another format', () => fileOf(events, { format: 'other' }), 1, /not a cartlog export/],
    ['an unknown formatVersion', () => fileOf(events, { formatVersion: 2 }), 1, /formatVersion 2/],
    ['fewer events than the header says', () => fileOf(events, { eventCount: 9 }), 1, /says 9 events, but the file has 5/],
    ['more events than the header says', () => fileOf(events, { eventCount: 3 }), 5, /says 3 events, but more follow/],
    ['over 2,000,000 events', () => fileOf(events, { eventCount: 2_000_001 }), 1, /over 2,000,000 events/],
    ['a line that is not JSON', () => fileOf([events[0], '{"id": ', ...events.slice(2)]), 3, /not valid JSON/],
    ['a line of the wrong shape', () => fileOf([events[0], { ...events[1], meta: 'x' }, ...events.slice(2)]), 3, /^meta /],
    ['an unknown event type', () => fileOf([events[0], { ...events[1], type: 'ItemStolen' }, ...events.slice(2)]), 3, /^type /],
    ['an unknown schemaVersion', () => fileOf([events[0], { ...events[1], schemaVersion: 7 }, ...events.slice(2)]), 3, /^schemaVersion /],
    ['data breaking a rule', () => fileOf([...events.slice(0, 2), { ...events[2], data: { ...(events[2]!.data as object), quantity: 100 } }, ...events.slice(3)]), 4, /data\.quantity/],
    ['a stream not starting at version 1', () => fileOf(events.slice(2)), 2, /starts at version 2, not 1/],
    ['a broken version chain', () => fileOf([events[0], events[1], events[4]]), 4, /jumps from version 1 to 3/],
    ['an id twice', () => fileOf([...events, { ...events[0], streamId: `cart-${uuidv7()}` }]), 7, /appears twice \(first on line 2\)/],
    ['an empty line between events', () => fileOf([events[0], '', ...events.slice(1)]), 3, /empty line/],
  ];
  it.each(bad)('refuses %s, naming the line', (_, lines, line, reason) => {
    const result = read(lines());
    expect(result).toMatchObject({ ok: false, line });
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses a file over 256 MiB before reading it', () => {
    expect(checkFileSize(256 * 1024 * 1024 + 1)).toMatchObject({ ok: false, line: 1, reason: expect.stringMatching(/over 256 MiB/) });
    expect(checkFileSize(0)).toMatchObject({ ok: false, line: 1 });
    expect(checkFileSize(1000)).toBeNull();
  });
});

describe('import into a sandbox', () => {
  it('imports a good file into its own database, leaving the live log untouched', async () => {
    const file = new Blob([...logFileLines(events)]);
    const liveBefore = (await carts.store.readLog()).events.length;
    const result = await importIntoSandbox(file, { deviceId: uuidv7(), name: uniqueName('sandbox') });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    try {
      expect(result.eventCount).toBe(5);
      expect(result.carts.store.name).not.toBe(carts.store.name);
      for (const cart of await carts.list()) expect(await result.carts.view(cart.cartId)).toEqual(await carts.view(cart.cartId));
      expect((await carts.store.readLog()).events.length).toBe(liveBefore);
    } finally {
      result.carts.close();
      await deleteEventStore(result.carts.store.name);
    }
  });

  it('imports nothing from a bad file and says which line and why', async () => {
    const lines = fileOf([events[0], { ...events[1], version: 3 }]);
    const name = uniqueName('sandbox');
    const result = await importIntoSandbox(new Blob([lines.join('\n')]), { deviceId: uuidv7(), name });
    expect(result).toMatchObject({ ok: false, line: 3, reason: expect.stringMatching(/starts at version 3/) });
    expect(await Dexie.exists(name)).toBe(false);
  });
});
