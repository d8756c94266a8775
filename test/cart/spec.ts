// given(events).when(command).then(events) for the cart decider, over a small fixture catalog
// whose prices a test can change, so a spec never depends on the bundled catalog's figures.
import { expect } from 'vitest';
import { DomainError } from '../../src/es/errors.ts';
import type { Product } from '../../src/cart/catalog.ts';
import type { CartCommand } from '../../src/cart/commands.ts';
import type { CartErrorCode, CartState } from '../../src/cart/decider.ts';
import { createCartDecider } from '../../src/cart/decider.ts';
import type { CartEvent } from '../../src/cart/events.ts';
import { fold } from '../../src/es/decider.ts';

export const CART_ID = 'cart-0192f3c4-5b6a-7c8d-9e0f-123456789abc';

export const fixtureProducts: Product[] = [
  { sku: 'APL-001', name: 'Apples', unitPrice: 250, category: 'Fruit' },
  { sku: 'BRD-001', name: 'Bread', unitPrice: 199, category: 'Bakery' },
  { sku: 'MLK-001', name: 'Milk', unitPrice: 115, category: 'Dairy' },
  { sku: 'FRE-001', name: 'Free sample', unitPrice: 0, category: 'Promotions' },
  // 50 more, so the line limit can be reached with real products.
  ...Array.from({ length: 50 }, (_, i) => ({
    sku: `BLK-${String(i + 1).padStart(3, '0')}`,
    name: `Bulk item ${i + 1}`,
    unitPrice: 100 + i,
    category: 'Bulk',
  })),
];

/** A mutable fixture catalog: tests may reprice or delist a product between events. */
export function fixtureCatalog(products: Product[] = fixtureProducts) {
  const bySku = new Map(products.map((product) => [product.sku, { ...product }]));
  return {
    findProduct: (sku: string) => bySku.get(sku),
    reprice(sku: string, unitPrice: number) {
      const product = bySku.get(sku);
      if (product) bySku.set(sku, { ...product, unitPrice });
    },
    delist(sku: string) {
      bySku.delete(sku);
    },
  };
}

export const opened: CartEvent = { type: 'CartOpened', data: { name: 'Weekly shop' } };

export const added = (sku: string, quantity = 1): CartEvent => {
  const product = fixtureProducts.find((candidate) => candidate.sku === sku);
  if (!product) throw new Error(`no fixture product ${sku}`);
  return { type: 'ItemAdded', data: { sku, name: product.name, unitPrice: product.unitPrice, quantity } };
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function given(history: CartEvent[], catalog = fixtureCatalog()) {
  const decider = createCartDecider(catalog.findProduct);
  // Frozen, so a decide that mutated its state would throw instead of passing.
  const state: CartState = deepFreeze(fold(decider, history));
  return {
    state,
    when(command: CartCommand) {
      const decide = () => decider.decide(command, state);
      return {
        then(expected: CartEvent[]) {
          expect(decide()).toEqual(expected);
        },
        thenThrows(code: CartErrorCode): DomainError {
          let thrown: unknown;
          try {
            decide();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainError);
          const error = thrown as DomainError;
          expect(error.code).toBe(code);
          expect(error.message.length).toBeGreaterThan(10);
          return error;
        },
      };
    },
  };
}
