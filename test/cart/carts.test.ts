// The cart log end to end in Node: commands through the real store, read models checked against
// a fold of the log and against a rebuild, for random command sequences.
import { Dexie } from 'dexie';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DomainError, deleteEventStore, fold, type EventEnvelope, type FoldedProjection } from '../../src/es/index.ts';
import {
  catalog,
  cartDecider,
  cartListProjection,
  cartStateOf,
  cartViewProjection,
  openCarts,
  restoreCommands,
  type CartCommand,
  type Carts,
  type CartEvent,
} from '../../src/cart/index.ts';
import { LAYOUT } from '../../src/es/db.ts';
import { toPage } from '../../src/es/pages.ts';
import { storedRows, uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000d001';
const opened: Carts[] = [];

async function freshCarts(name = uniqueName('carts')): Promise<Carts> {
  const carts = await openCarts({ name, deviceId: DEVICE });
  opened.push(carts);
  return carts;
}

afterEach(async () => {
  for (const carts of opened.splice(0)) {
    carts.close();
    await deleteEventStore(carts.store.name);
  }
});

const skus = catalog.slice(0, 6).map((p) => p.sku);
const commandArb: fc.Arbitrary<CartCommand> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('AddItem' as const), data: fc.record({ sku: fc.constantFrom(...skus, 'NOPE-999'), quantity: fc.integer({ min: 0, max: 60 }) }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('ChangeQuantity' as const), data: fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 0, max: 100 }) }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('RemoveItem' as const), data: fc.record({ sku: fc.constantFrom(...skus) }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('RenameCart' as const), data: fc.record({ name: fc.constantFrom('Weekly', 'Party', ' ', 'Weekly ') }) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'ClearCart' as const, data: {} }) },
  { weight: 1, arbitrary: fc.constant({ type: 'Checkout' as const, data: {} }) },
  { weight: 1, arbitrary: fc.constant({ type: 'ArchiveCart' as const, data: {} }) },
);

async function allEvents(carts: Carts): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for (let page = await carts.store.readLog(); ; page = await carts.store.readLog({ after: page.cursor })) {
    events.push(...page.events);
    if (page.done) return events;
  }
}

function foldRows<Row>(projection: FoldedProjection<Row>, events: EventEnvelope[]) {
  const rows = new Map<string, Row | undefined>();
  for (const e of events) for (const key of projection.keysOf(e)) rows.set(key, projection.evolve(rows.get(key), e, key));
  return rows;
}

describe('cart log', () => {
  it('keeps read models equal to a fold of the log and to a rebuild, for random command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), commandArb), { maxLength: 40 }), async (steps) => {
        const carts = await freshCarts();
        const cartIds = [await carts.openCart('One'), await carts.openCart('Two'), await carts.openCart('Three')];
        for (const [which, command] of steps) {
          await carts.execute(cartIds[which]!, command).catch((error) => {
            if (!(error instanceof DomainError)) throw error;
          });
        }
        const events = await allEvents(carts);
        const views = foldRows(cartViewProjection, events);
        for (const cartId of cartIds) {
          expect(await carts.view(cartId)).toEqual(views.get(cartId));
          const stream = events.filter((e) => e.streamId === cartId);
          expect(stream.map((e) => e.version)).toEqual(stream.map((_, i) => i + 1));
          const state = fold(cartDecider, stream as unknown as CartEvent[]);
          const view = views.get(cartId)!;
          // The command path decides on the view (StateRow): it must hold exactly the decider's state.
          expect(cartStateOf(view)).toEqual(state);
          expect(view.lines.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual(state.lines.map(({ sku, quantity }) => ({ sku, quantity })));
          expect(view.itemCount).toBe(state.lines.reduce((n, l) => n + l.quantity, 0));
        }
        const list = await carts.list();
        expect(new Map(list.map((row) => [row.cartId, row]))).toEqual(new Map([...views].map(([cartId, view]) => [cartId, cartListProjection.derive(view, cartId)])));
        const incremental = await storedRows(carts.store);
        await carts.store.rebuildProjections();
        expect(await storedRows(carts.store)).toEqual(incremental);
        carts.close();
        await deleteEventStore(carts.store.name);
        opened.pop();
      }),
      { numRuns: 25 },
    );
  });

  it('decides on the cart view after an import: no snapshot kept, no event read, even on a long cart', async () => {
    const source = await freshCarts();
    const cartId = await source.openCart('Long');
    const [a, b] = [catalog[0]!.sku, catalog[1]!.sku];
    await source.execute(cartId, { type: 'AddItem', data: { sku: a, quantity: 1 } });
    for (let i = 0; i < 300; i++) await source.execute(cartId, { type: 'ChangeQuantity', data: { sku: a, quantity: 2 + (i % 50) } });
    const events = await source.store.readStream(cartId);
    const carts = await freshCarts();
    await carts.store.appendBulk(events);
    const before = carts.store.metrics.eventsRead;
    const result = await carts.execute(cartId, { type: 'AddItem', data: { sku: b, quantity: 1 } });
    // Before, the head had no snapshot after the bulk append: all 302 events were read and folded.
    expect(carts.store.metrics.eventsRead - before).toBe(0);
    expect(result.state).toEqual(fold(cartDecider, [...events, ...result.events] as unknown as CartEvent[]));
    expect((await carts.store.db.streams.get(cartId))?.snapshot).toBeUndefined();
    expect((await carts.view(cartId))?.lines.map((l) => [l.sku, l.quantity])).toEqual([[a, 2 + (299 % 50)], [b, 1]]);
  });

  it('tells a tab on the previous version to reload, and rebuilds its list entries without lines', async () => {
    // A database as version 1 of the app left it: list entries with the cart's lines, a head with a snapshot.
    const source = await freshCarts();
    const cartId = await source.openCart('Weekly');
    await source.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 2 } });
    const events = await source.store.readStream(cartId);
    const view = await source.view(cartId);
    const name = uniqueName('carts');
    const previous = new Dexie(name);
    previous.version(1).stores(LAYOUT);
    await previous.table('pages').add(toPage(events));
    await previous.table('streams').put({ streamId: cartId, version: 2, confirmedThrough: 0, snapshot: { version: 2, stateVersion: 1, state: cartStateOf(view!) } });
    const entry = { cartId, name: 'Weekly', status: 'open', itemCount: 2, total: view!.total, updatedAt: view!.updatedAt, lines: cartStateOf(view!).lines };
    await previous.table('readModels').bulkPut([
      { projection: 'cartView', key: cartId, value: view },
      { projection: 'cartList', key: cartId, value: entry },
    ]);
    await previous.table('projections').bulkPut([{ name: 'cartView', version: 1, checkpoint: 0 }, { name: 'cartList', version: 1, checkpoint: 0 }]);
    const told = new Promise<void>((resolve) => previous.on('versionchange', () => void resolve()));

    const carts = await freshCarts(name);
    await told; // Dexie closes that connection: its page shows the reload banner (e2e carts.test).
    expect(previous.isOpen()).toBe(false);
    const { lines: _lines, ...summary } = entry;
    expect(await carts.list()).toEqual([summary]);
    await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 1 } });
    expect((await carts.view(cartId))?.lines[0]?.quantity).toBe(3);
    expect((await carts.listed([cartId]))[0]).toMatchObject({ itemCount: 3 });
  });

  it('moves the rows of a database version 2 left in readModels into the stream heads, and tells that tab to reload', async () => {
    // Version 2 kept a cart's view and list entry as rows of their own, beside the head.
    const source = await freshCarts();
    const cartId = await source.openCart('Weekly');
    await source.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 2 } });
    const events = await source.store.readStream(cartId);
    const [view, entry] = [await source.view(cartId), (await source.listed([cartId]))[0]];
    const name = uniqueName('carts');
    const previous = new Dexie(name);
    previous.version(2).stores(LAYOUT);
    await previous.table('pages').add(toPage(events));
    await previous.table('streams').put({ streamId: cartId, version: 2, confirmedThrough: 0 });
    await previous.table('readModels').bulkPut([
      { projection: 'cartView', key: cartId, value: view },
      { projection: 'cartList', key: cartId, value: entry },
    ]);
    await previous.table('projections').bulkPut([{ name: 'cartView', version: 1, checkpoint: 0 }, { name: 'cartList', version: 2, checkpoint: 0 }]);
    const told = new Promise<void>((resolve) => previous.on('versionchange', () => void resolve()));

    const carts = await freshCarts(name);
    await told;
    expect((await carts.store.db.streams.get(cartId))?.rows).toEqual({ cartView: view, cartList: entry });
    expect(await carts.store.db.readModels.where('projection').anyOf('cartView', 'cartList').count()).toBe(0);
    expect(await carts.list()).toEqual([entry]);
    await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 1 } });
    expect((await carts.view(cartId))?.lines[0]?.quantity).toBe(3);
    expect((await carts.listed([cartId]))[0]).toMatchObject({ itemCount: 3 });
  });

  it('appends nothing for a command id already handled, for the cart’s whole life', async () => {
    const carts = await freshCarts();
    const cartId = await carts.openCart('Weekly');
    const sku = catalog[0]!.sku;
    const commandId = uuidv7();
    await carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 2 } }, commandId);
    await carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 1 } });
    const again = await carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 2 } }, commandId);
    expect(again.duplicate).toBe(true);
    expect((await carts.view(cartId))?.lines[0]?.quantity).toBe(3);
    expect(await carts.store.streamVersion(cartId)).toBe(3);
  });

  it('loses no increment when two tabs change the same line at the same moment', async () => {
    const name = uniqueName('carts');
    const [tabA, tabB] = [await freshCarts(name), await freshCarts(name)];
    const cartId = await tabA.openCart('Shared');
    const sku = catalog[0]!.sku;
    await tabA.execute(cartId, { type: 'AddItem', data: { sku, quantity: 1 } });
    const oneMore = (state: { lines: { sku: string; quantity: number }[] }): CartCommand => ({
      type: 'ChangeQuantity',
      data: { sku, quantity: (state.lines.find((l) => l.sku === sku)?.quantity ?? 0) + 1 },
    });
    await Promise.all([tabA.execute(cartId, oneMore), tabB.execute(cartId, oneMore), tabA.execute(cartId, oneMore), tabB.execute(cartId, oneMore)]);
    expect((await tabB.view(cartId))?.lines[0]?.quantity).toBe(5);
    expect(await tabA.store.streamVersion(cartId)).toBe(6);
  });

  it('restores an earlier state as one command: ordinary events, one commandId, history kept', async () => {
    const carts = await freshCarts();
    const cartId = await carts.openCart('Weekly');
    const [a, b] = [catalog[0]!.sku, catalog[1]!.sku];
    await carts.execute(cartId, { type: 'AddItem', data: { sku: a, quantity: 2 } });
    const earlier = fold(cartDecider, (await carts.store.readStream(cartId)) as unknown as CartEvent[]);
    await carts.execute(cartId, { type: 'AddItem', data: { sku: b, quantity: 1 } });
    await carts.execute(cartId, { type: 'RenameCart', data: { name: 'Party' } });
    await carts.execute(cartId, { type: 'RemoveItem', data: { sku: a } });
    const commandId = uuidv7();
    const result = await carts.execute(cartId, (present) => restoreCommands(present, earlier), commandId);
    expect(result.events.map((e) => e.type)).toEqual(['CartRenamed', 'CartCleared', 'ItemAdded']);
    expect(new Set(result.events.map((e) => e.meta.commandId))).toEqual(new Set([commandId]));
    expect(await carts.view(cartId)).toMatchObject({ name: 'Weekly', lines: [{ sku: a, quantity: 2 }] });
    expect(await carts.store.streamVersion(cartId)).toBe(8);
  });

  it('refuses a rule violation with a readable message and writes nothing', async () => {
    const carts = await freshCarts();
    const cartId = await carts.openCart('Weekly');
    const error = await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 120 } }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('invalid_quantity');
    expect(error.message).toMatch(/99/);
    expect(await carts.store.streamVersion(cartId)).toBe(1);
    expect(await carts.store.db.commands.count()).toBe(1);
  });

  it('records the catalog price, the device and the command in each event', async () => {
    const carts = await freshCarts();
    const cartId = await carts.openCart('Weekly');
    const product = catalog[3]!;
    const commandId = uuidv7();
    await carts.execute(cartId, { type: 'AddItem', data: { sku: product.sku, quantity: 2 } }, commandId);
    const [, added] = await carts.store.readStream(cartId);
    expect(added).toMatchObject({
      type: 'ItemAdded',
      schemaVersion: 1,
      version: 2,
      data: { sku: product.sku, name: product.name, unitPrice: product.unitPrice, quantity: 2 },
      meta: { deviceId: DEVICE, commandId },
    });
    expect(added).not.toHaveProperty('position');
    expect(added!.meta).not.toHaveProperty('correlationId');
  });

  it('feeds the async popularity projection behind the log, catching up', async () => {
    const carts = await freshCarts();
    const cartId = await carts.openCart('Weekly');
    await carts.execute(cartId, { type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 2 } });
    await carts.store.catchUp();
    expect(await carts.store.lag('popularity')).toBe(0);
    expect(await carts.store.getRow('popularity', catalog[0]!.sku)).toMatchObject({ adds: 1, unitsAdded: 2 });
  });
});
