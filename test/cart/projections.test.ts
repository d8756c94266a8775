import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartCommand } from '../../src/cart/commands.ts';
import type { CartState } from '../../src/cart/decider.ts';
import { createCartDecider } from '../../src/cart/decider.ts';
import type { CartEvent } from '../../src/cart/events.ts';
import { validateCartEvent } from '../../src/cart/events.ts';
import type { CartListEntry, CartView, ProductPopularity } from '../../src/cart/projections.ts';
import { cartListProjection, cartViewProjection, popularityProjection } from '../../src/cart/projections.ts';
import type { EventEnvelope } from '../../src/es/envelope.ts';
import type { FoldedProjection } from '../../src/es/projection.ts';
import { DomainError } from '../../src/es/errors.ts';
import { added, CART_ID, fixtureCatalog, fixtureProducts, opened } from './spec.ts';

const OTHER_CART = 'cart-0192f3c4-5b6a-7c8d-9e0f-000000000002';

/** Envelopes for a stream, one minute apart, versions from 1. */
function envelopes(events: CartEvent[], streamId = CART_ID, from = 1): EventEnvelope[] {
  return events.map((event, i) => ({
    id: `0192f3c4-5b6a-7c8d-9e0f-${String(from + i).padStart(12, '0')}`,
    streamId,
    version: from + i,
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    meta: { at: new Date(Date.UTC(2026, 10, 27, 6, from + i - 1)).toISOString(), deviceId: 'd', commandId: `c${from + i}` },
  }));
}

/** Folds every row a projection keeps, as a rebuild would, freezing each row so a mutation throws. */
function project<Row>(projection: FoldedProjection<Row>, log: EventEnvelope[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const event of log) {
    for (const key of projection.keysOf(event)) {
      const row = projection.evolve(rows.get(key), event, key);
      if (row === undefined) rows.delete(key);
      else rows.set(key, Object.freeze(row));
    }
  }
  return rows;
}

const shopping: CartEvent[] = [
  opened,
  added('APL-001', 2),
  added('BRD-001', 1),
  added('MLK-001', 3),
  { type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 5 } },
  { type: 'ItemRemoved', data: { sku: 'MLK-001' } },
  { type: 'CartRenamed', data: { name: 'Sunday' } },
];

describe('cartViewProjection', () => {
  it('shows lines with their totals, the cart total and item count', () => {
    const view = project(cartViewProjection, envelopes(shopping)).get(CART_ID);
    expect(view).toEqual({
      cartId: CART_ID,
      name: 'Sunday',
      status: 'open',
      lines: [
        { sku: 'APL-001', name: 'Apples', unitPrice: 250, quantity: 5, lineTotal: 1250 },
        { sku: 'BRD-001', name: 'Bread', unitPrice: 199, quantity: 1, lineTotal: 199 },
      ],
      total: 1449,
      itemCount: 6,
      version: 7,
      openedAt: '2026-11-27T06:00:00.000Z',
      updatedAt: '2026-11-27T06:06:00.000Z',
    } satisfies CartView);
  });

  it('keeps the order after checkout, and after archiving', () => {
    const log = envelopes([...shopping, { type: 'CartCheckedOut', data: { total: 1449, itemCount: 6 } }, { type: 'CartArchived', data: {} }]);
    const afterCheckout = project(cartViewProjection, log.slice(0, -1)).get(CART_ID);
    expect(afterCheckout).toMatchObject({
      status: 'checked-out',
      version: 8,
      checkedOutAt: '2026-11-27T06:07:00.000Z',
      order: { total: 1449, itemCount: 6, at: '2026-11-27T06:07:00.000Z' },
      lines: [{ sku: 'APL-001' }, { sku: 'BRD-001' }],
    });
    const afterArchive = project(cartViewProjection, log).get(CART_ID);
    expect(afterArchive).toMatchObject({ status: 'archived', version: 9, order: afterCheckout?.order, checkedOutAt: afterCheckout?.checkedOutAt });
  });

  it('leaves optional fields out while the cart is open', () => {
    const view = project(cartViewProjection, envelopes(shopping)).get(CART_ID);
    expect(view && 'order' in view).toBe(false);
    expect(view && 'checkedOutAt' in view).toBe(false);
  });

  it('empties the lines on CartCleared', () => {
    const view = project(cartViewProjection, envelopes([...shopping, { type: 'CartCleared', data: {} }])).get(CART_ID);
    expect(view).toMatchObject({ lines: [], total: 0, itemCount: 0, version: 8 });
  });

  it('keeps one row per cart and ignores streams that are not carts', () => {
    const log = [
      ...envelopes(shopping),
      ...envelopes([{ type: 'CartOpened', data: { name: 'Other' } }], OTHER_CART),
      ...envelopes([opened], 'notes-1'),
      { ...envelopes([opened])[0]!, streamId: CART_ID, type: 'SomethingNew', version: 8 },
    ];
    const rows = project(cartViewProjection, log);
    expect([...rows.keys()]).toEqual([CART_ID, OTHER_CART]);
    expect(rows.get(CART_ID)?.version).toBe(7);
  });

  it('does not change the row it is given', () => {
    const [first, second] = envelopes([opened, added('APL-001')]);
    const row = cartViewProjection.evolve(undefined, first!, CART_ID);
    const copy = structuredClone(row);
    const next = cartViewProjection.evolve(row, second!, CART_ID);
    expect(row).toEqual(copy);
    expect(next).not.toBe(row);
    expect(structuredClone(next)).toEqual(next);
  });
});

describe('cartListProjection', () => {
  it('summarises each cart, archived ones included', () => {
    const log = [
      ...envelopes(shopping),
      ...envelopes([{ type: 'CartOpened', data: { name: 'Old' } }, added('BRD-001', 2), { type: 'CartArchived', data: {} }], OTHER_CART),
    ];
    // Made from each cart's view, as the store makes it in the view's transaction.
    const rows = new Map([...project(cartViewProjection, log)].map(([key, view]) => [key, cartListProjection.derive(view, key)]));
    expect(rows.get(CART_ID)).toEqual({
      cartId: CART_ID,
      name: 'Sunday',
      status: 'open',
      itemCount: 6,
      total: 1449,
      updatedAt: '2026-11-27T06:06:00.000Z',
    } satisfies CartListEntry);
    expect(rows.get(OTHER_CART)).toMatchObject({ name: 'Old', status: 'archived', itemCount: 2, total: 398 });
  });
});

describe('popularityProjection', () => {
  it('counts the lines started and units added per SKU, across carts', () => {
    const log = [
      ...envelopes(shopping),
      ...envelopes([opened, added('APL-001', 1), { type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 9 } }], OTHER_CART),
    ];
    const rows = project(popularityProjection, log);
    expect(rows.get('APL-001')).toEqual({
      sku: 'APL-001',
      name: 'Apples',
      adds: 2,
      unitsAdded: 3,
      lastAddedAt: '2026-11-27T06:01:00.000Z',
    } satisfies ProductPopularity);
    expect(rows.get('MLK-001')).toMatchObject({ adds: 1, unitsAdded: 3 });
    expect([...rows.keys()].sort()).toEqual(['APL-001', 'BRD-001', 'MLK-001']);
  });
});

describe('the cart view is a fold of what the decider decides', () => {
  const skus = fixtureProducts.slice(0, 8).map((product) => product.sku);
  const sku = fc.constantFrom(...skus, 'GONE-001');
  const quantity = fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer({ min: -5, max: 130 }));
  const command: fc.Arbitrary<CartCommand> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ type: fc.constant('AddItem' as const), data: fc.record({ sku, quantity }) }) },
    { weight: 4, arbitrary: fc.record({ type: fc.constant('ChangeQuantity' as const), data: fc.record({ sku, quantity }) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('RemoveItem' as const), data: fc.record({ sku }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('RenameCart' as const), data: fc.record({ name: fc.string({ maxLength: 90 }) }) }) },
    { weight: 1, arbitrary: fc.constant({ type: 'ClearCart' as const, data: {} }) },
    { weight: 1, arbitrary: fc.constant({ type: 'Checkout' as const, data: {} }) },
    { weight: 1, arbitrary: fc.constant({ type: 'ArchiveCart' as const, data: {} }) },
  );

  it('total = Σ unitPrice × quantity and itemCount = Σ quantity, whatever the shopper does', () => {
    const decider = createCartDecider(fixtureCatalog().findProduct);
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let state: CartState = decider.initialState();
        const history: CartEvent[] = [];
        for (const next of [{ type: 'OpenCart' as const, data: { cartId: CART_ID, name: 'Prop' } }, ...commands]) {
          let events: CartEvent[];
          try {
            events = decider.decide(next, state);
          } catch (error) {
            // A refused command appends nothing; anything but a DomainError is a bug.
            if (!(error instanceof DomainError)) throw error;
            continue;
          }
          for (const event of events) {
            expect(validateCartEvent(event.type, 1, event.data)).toEqual({ ok: true });
            state = decider.evolve(state, event);
            history.push(event);
          }
        }
        const view = project(cartViewProjection, envelopes(history)).get(CART_ID);
        const list = cartListProjection.derive(view, CART_ID);
        expect(view).toBeDefined();
        const lines = view?.lines ?? [];
        expect(view?.total).toBe(lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0));
        expect(view?.itemCount).toBe(lines.reduce((sum, line) => sum + line.quantity, 0));
        expect(lines.map(({ lineTotal, ...line }) => line)).toEqual(state.lines);
        expect(view?.status).toBe(state.status);
        expect(view?.version).toBe(history.length);
        expect(list).toMatchObject({ total: view?.total, itemCount: view?.itemCount, status: view?.status, name: view?.name });
        expect(state.lines.length).toBeLessThanOrEqual(50);
        for (const line of state.lines) expect(line.quantity).toBeGreaterThanOrEqual(1);
        for (const line of state.lines) expect(line.quantity).toBeLessThanOrEqual(99);
      }),
      { numRuns: 300 },
    );
  });
});
