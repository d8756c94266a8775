// What a catalog row offers (catalog-offer.ts): Add until the open cart holds the product, then
// − qty + whose "−" removes at 1 and whose "+" stops at 99; a cart that cannot change keeps Add.
import { describe, expect, it } from 'vitest';
import { LINE_FULL } from '../../src/ui/blockers.ts';
import { catalogOffer } from '../../src/ui/catalog-offer.ts';
import { VIEWING_PAST } from '../../src/ui/blockers.ts';

describe('catalogOffer', () => {
  it('is Add while the cart does not hold the product', () => {
    expect(catalogOffer(undefined, undefined)).toEqual({ kind: 'add', blocker: undefined, inCart: 0 });
    expect(catalogOffer(0, undefined)).toEqual({ kind: 'add', blocker: undefined, inCart: 0 });
  });

  it('is a stepper once it does: "−" removes at 1 and takes one off above; "+" is off at 99 with the reason', () => {
    expect(catalogOffer(1, undefined)).toEqual({ kind: 'stepper', quantity: 1, less: 'remove', more: undefined });
    expect(catalogOffer(2, undefined)).toEqual({ kind: 'stepper', quantity: 2, less: 'one-less', more: undefined });
    expect(catalogOffer(98, undefined)).toMatchObject({ more: undefined });
    expect(catalogOffer(99, undefined)).toEqual({ kind: 'stepper', quantity: 99, less: 'one-less', more: LINE_FULL });
    expect(LINE_FULL).toBe('A line holds at most 99.');
  });

  it('keeps Add, off with the reason, and says how many the cart holds while the cart cannot change', () => {
    const checkedOut = 'This cart has been checked out, so it can no longer be changed.';
    expect(catalogOffer(3, checkedOut)).toEqual({ kind: 'add', blocker: checkedOut, inCart: 3 });
    expect(catalogOffer(2, VIEWING_PAST)).toEqual({ kind: 'add', blocker: VIEWING_PAST, inCart: 2 });
    expect(catalogOffer(undefined, checkedOut)).toEqual({ kind: 'add', blocker: checkedOut, inCart: 0 });
  });
});
