import { describe, expect, it } from 'vitest';
import type { CartView } from '../../src/cart/projections.ts';
import { shownCart } from '../../src/ui/shown-cart.ts';

const view = (cartId: string, version: number) => ({ cartId, version }) as CartView;

describe('shown cart', () => {
  it('shows what a command just wrote until the live read catches up, then the live one', () => {
    expect(shownCart(view('a', 3), view('a', 4), 'a')).toEqual(view('a', 4));
    expect(shownCart(view('a', 4), view('a', 4), 'a')).toEqual(view('a', 4));
    expect(shownCart(view('a', 6), view('a', 4), 'a')).toEqual(view('a', 6)); // another tab moved on
  });

  it('never shows a written view of another cart', () => {
    expect(shownCart(view('b', 1), view('a', 9), 'b')).toEqual(view('b', 1));
    expect(shownCart(undefined, view('a', 2), 'a')).toEqual(view('a', 2));
    expect(shownCart(undefined, undefined, 'a')).toBeUndefined();
  });
});
