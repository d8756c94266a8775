// What a cart line shows, made for all lines at once (src/ui/cart-lines/rows.ts): the same words
// and reasons the per-button components used to work out one by one.
import { describe, expect, it } from 'vitest';
import type { CartView } from '../../src/cart/index.ts';
import { labelWith, LINE_FULL, VIEWING_PAST } from '../../src/ui/blockers.ts';
import { lineRows, neighbourOf } from '../../src/ui/cart-lines/rows.ts';
import { formatCents } from '../../src/ui/money.ts';
import { cartWith } from './cart-lines-fixture.ts';

const cart = (lines: [sku: string, quantity: number][], extra: Partial<CartView> = {}) => cartWith(lines, extra, 250);

describe('lineRows', () => {
  it('gives each line its text and its controls’ names, off with the reason where they cannot succeed', () => {
    const [low, mid, full] = lineRows(cart([['A', 1], ['B', 5], ['C', 99]]), undefined);
    expect(mid).toEqual({
      sku: 'B',
      name: 'Name B',
      quantity: '5',
      unit: `${formatCents(250)} each`,
      total: formatCents(1250),
      decrease: { label: 'One less Name B', blocker: undefined },
      increase: { label: 'One more Name B', blocker: undefined },
      remove: { label: 'Remove Name B', blocker: undefined },
    });
    expect(low!.decrease.blocker).toMatch(/already 1; remove the line instead/);
    expect(low!.decrease.label).toBe(labelWith('One less Name A', low!.decrease.blocker));
    expect(low!.increase.blocker).toBeUndefined();
    expect(full!.increase).toEqual({ label: labelWith('One more Name C', LINE_FULL), blocker: LINE_FULL });
  });

  it('turns every control off for the one reason the cart is frozen, or locked', () => {
    for (const row of lineRows(cart([['A', 2]]), VIEWING_PAST))
      for (const control of [row.decrease, row.increase, row.remove]) expect(control).toEqual({ label: expect.stringContaining(VIEWING_PAST), blocker: VIEWING_PAST });
    const [row] = lineRows(cart([['A', 2]], { status: 'checked-out' }), undefined);
    expect(row!.remove.blocker).toMatch(/checked out/);
  });
});

describe('neighbourOf', () => {
  it('is the next line, else the previous, else none', () => {
    const view = cart([['A', 1], ['B', 1], ['C', 1]]);
    expect(neighbourOf(view, 'A')).toBe('B');
    expect(neighbourOf(view, 'C')).toBe('B');
    expect(neighbourOf(cart([['A', 1]]), 'A')).toBeUndefined();
    expect(neighbourOf(view, 'Z')).toBeUndefined();
  });
});
