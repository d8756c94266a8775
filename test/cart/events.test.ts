import { describe, expect, it } from 'vitest';
import { catalog, categories, findProduct } from '../../src/cart/catalog.ts';
import type { CartEventType } from '../../src/cart/events.ts';
import { CART_EVENT_TYPES, CURRENT_SCHEMA_VERSION, isCartStreamId, validateCartEvent } from '../../src/cart/events.ts';

const good: Record<CartEventType, unknown> = {
  CartOpened: { name: 'Weekly shop' },
  CartRenamed: { name: 'Party 🎉' },
  ItemAdded: { sku: 'FRU-001', name: 'Bananas, 1 kg', unitPrice: 189, quantity: 2 },
  ItemQuantityChanged: { sku: 'FRU-001', quantity: 99 },
  ItemRemoved: { sku: 'FRU-001' },
  CartCleared: {},
  CartCheckedOut: { total: 378, itemCount: 2 },
  CartArchived: {},
};

describe('validateCartEvent', () => {
  it('knows the eight event types, all at schemaVersion 1', () => {
    expect([...CART_EVENT_TYPES].sort()).toEqual(Object.keys(good).sort());
    expect(Object.values(CURRENT_SCHEMA_VERSION)).toEqual(CART_EVENT_TYPES.map(() => 1));
  });

  it.each(CART_EVENT_TYPES)('accepts good %s data', (type) => {
    expect(validateCartEvent(type, 1, good[type])).toEqual({ ok: true });
  });

  it('accepts the edges of each range', () => {
    expect(validateCartEvent('CartOpened', 1, { name: 'x'.repeat(80) })).toEqual({ ok: true });
    expect(validateCartEvent('ItemAdded', 1, { sku: 'S'.repeat(64), name: 'Free', unitPrice: 0, quantity: 1 })).toEqual({ ok: true });
    expect(validateCartEvent('CartCheckedOut', 1, { total: 0, itemCount: 0 })).toEqual({ ok: true });
  });

  it.each([
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: 1, quantity: 0 }, 'data.quantity', 'must be an integer from 1 to 99'],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: 1, quantity: 100 }, 'data.quantity', 'must be an integer from 1 to 99'],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: 1, quantity: 1.5 }, 'data.quantity', 'must be an integer from 1 to 99'],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: 1, quantity: '2' }, 'data.quantity', 'must be an integer from 1 to 99'],
    ['ItemQuantityChanged', { sku: 'A', quantity: -1 }, 'data.quantity', 'must be an integer from 1 to 99'],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: -1, quantity: 1 }, 'data.unitPrice', undefined],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: 1.99, quantity: 1 }, 'data.unitPrice', undefined],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: null, quantity: 1 }, 'data.unitPrice', undefined],
    ['ItemAdded', { sku: 'A', name: 'A', unitPrice: 2 ** 60, quantity: 1 }, 'data.unitPrice', undefined],
    ['ItemAdded', { sku: '', name: 'A', unitPrice: 1, quantity: 1 }, 'data.sku', undefined],
    ['ItemAdded', { sku: 'S'.repeat(65), name: 'A', unitPrice: 1, quantity: 1 }, 'data.sku', undefined],
    ['ItemRemoved', { sku: 7 }, 'data.sku', undefined],
    ['ItemAdded', { sku: 'A', name: '', unitPrice: 1, quantity: 1 }, 'data.name', undefined],
    ['CartOpened', { name: '' }, 'data.name', undefined],
    ['CartOpened', { name: '   ' }, 'data.name', undefined],
    ['CartOpened', { name: ' padded ' }, 'data.name', undefined],
    ['CartRenamed', { name: 'x'.repeat(81) }, 'data.name', undefined],
    ['CartRenamed', { name: 42 }, 'data.name', undefined],
    ['CartCheckedOut', { total: -5, itemCount: 1 }, 'data.total', undefined],
    ['CartCheckedOut', { total: 5, itemCount: 0.5 }, 'data.itemCount', undefined],
    ['CartOpened', { name: 'Shop', cartId: 'cart-x' }, 'data.cartId', 'is not allowed'],
    ['CartCleared', { sku: 'A' }, 'data.sku', 'is not allowed'],
    ['ItemQuantityChanged', { sku: 'A' }, 'data.quantity', 'is required'],
    ['CartCheckedOut', { total: 5 }, 'data.itemCount', 'is required'],
    ['CartArchived', null, 'data', 'must be an object'],
    ['CartArchived', [], 'data', 'must be an object'],
    ['ItemRemoved', 'FRU-001', 'data', 'must be an object'],
    ['CartCleared', undefined, 'data', 'must be an object'],
  ] as const)('rejects %s %j at %s', (type, data, field, reason) => {
    const result = validateCartEvent(type, 1, data);
    expect(result).toMatchObject({ ok: false, field });
    if (reason) expect(result).toMatchObject({ reason });
    expect(result.ok || result.reason.length > 0).toBe(true);
  });

  it.each(['ItemPurchased', '', 'toString', 'constructor', 42, undefined])('rejects the type %j', (type) => {
    expect(validateCartEvent(type, 1, {})).toMatchObject({ ok: false, field: 'type' });
  });

  it.each([0, 2, '1', undefined, 1.0001])('rejects the schemaVersion %j', (schemaVersion) => {
    expect(validateCartEvent('CartCleared', schemaVersion, {})).toEqual({
      ok: false,
      field: 'schemaVersion',
      reason: 'must be 1 for CartCleared',
    });
  });

  it('reports the type before the schemaVersion before the data', () => {
    expect(validateCartEvent('Nope', 9, null)).toMatchObject({ field: 'type' });
    expect(validateCartEvent('ItemAdded', 9, null)).toMatchObject({ field: 'schemaVersion' });
  });
});

describe('isCartStreamId', () => {
  it.each(['cart-0192f3c4-5b6a-7c8d-9e0f-123456789abc', 'cart-00000000-0000-0000-0000-000000000000'])('accepts %s', (id) => {
    expect(isCartStreamId(id)).toBe(true);
  });

  it.each([
    'cart-0192F3C4-5B6A-7C8D-9E0F-123456789ABC',
    '0192f3c4-5b6a-7c8d-9e0f-123456789abc',
    'cart-0192f3c45b6a7c8d9e0f123456789abc',
    'cart-0192f3c4-5b6a-7c8d-9e0f-123456789abc ',
    'cart-0192f3c4-5b6a-7c8d-9e0f-123456789abcd',
    'Cart-0192f3c4-5b6a-7c8d-9e0f-123456789abc',
    'cart-',
    42,
    null,
  ])('rejects %j', (id) => {
    expect(isCartStreamId(id)).toBe(false);
  });
});

describe('catalog', () => {
  it('has at least 64 products in at least 6 categories, each valid for ItemAdded', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(64);
    expect(categories.length).toBeGreaterThanOrEqual(6);
    expect(new Set(catalog.map((product) => product.category))).toEqual(new Set(categories));
    for (const { sku, name, unitPrice } of catalog) {
      expect(sku).toMatch(/^[A-Z]{3}-\d{3}$/);
      expect(validateCartEvent('ItemAdded', 1, { sku, name, unitPrice, quantity: 1 })).toEqual({ ok: true });
    }
  });

  it('has each SKU once and finds it', () => {
    expect(new Set(catalog.map((product) => product.sku)).size).toBe(catalog.length);
    for (const product of catalog) expect(findProduct(product.sku)).toBe(product);
    expect(findProduct('NOPE-000')).toBeUndefined();
  });
});
