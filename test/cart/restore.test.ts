// Restore: the commands it makes, decided through the real decider, leave the present cart equal
// to the target (name, status, SKU → quantity), for random pairs of reachable states.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError, fold } from '../../src/es/index.ts';
import { cartDecider, catalog, restoreCommands, type CartCommand, type CartState, type CartEvent } from '../../src/cart/index.ts';

const skus = catalog.slice(0, 8).map((p) => p.sku);
const opened = (name: string, lines: [string, number][]): CartState =>
  fold(cartDecider, [
    { type: 'CartOpened', data: { name } },
    ...lines.map(([sku, quantity]) => {
      const product = catalog.find((p) => p.sku === sku)!;
      return { type: 'ItemAdded', data: { sku, name: product.name, unitPrice: product.unitPrice, quantity } };
    }),
  ] as CartEvent[]);

function apply(state: CartState, commands: CartCommand[]): CartState {
  for (const command of commands) state = fold(cartDecider, cartDecider.decide(command, state), state);
  return state;
}
const shape = (s: CartState) => ({ name: s.name, status: s.status, lines: Object.fromEntries(s.lines.map((l) => [l.sku, l.quantity])) });

const cartArb = fc
  .tuple(fc.constantFrom('Weekly', 'Party', 'Picnic'), fc.uniqueArray(fc.tuple(fc.constantFrom(...skus), fc.integer({ min: 1, max: 99 })), { selector: ([sku]) => sku, maxLength: 8 }))
  .map(([name, lines]) => opened(name, lines));

describe('restore', () => {
  it('makes the present equal to the target, for any two open carts', () => {
    fc.assert(
      fc.property(cartArb, cartArb, fc.boolean(), (present, target, checkout) => {
        const wanted = checkout && target.lines.length ? apply(target, [{ type: 'Checkout', data: {} }]) : target;
        expect(shape(apply(present, restoreCommands(present, wanted)))).toEqual(shape(wanted));
      }),
      { numRuns: 300 },
    );
  });

  it('changes nothing when the present already equals the target', () => {
    const cart = opened('Weekly', [[skus[0]!, 2]]);
    expect(restoreCommands(cart, cart)).toEqual([]);
  });

  it('refuses to restore to version 0 or onto a checked-out cart, with a clear message', () => {
    const cart = opened('Weekly', [[skus[0]!, 2]]);
    expect(() => restoreCommands(cart, cartDecider.initialState())).toThrow(/before the cart existed/);
    const done = apply(cart, [{ type: 'Checkout', data: {} }]);
    const error = (() => {
      try {
        restoreCommands(done, cart);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toMatch(/checked out/);
  });
});
