// The page's pure helpers: catalog search, why an action is unavailable, what gets announced.
import { describe, expect, it } from 'vitest';
import { catalog, categories, type CartListEntry, type CartView } from '../../src/cart/index.ts';
import { cartAnnouncement } from '../../src/ui/announce.ts';
import { cartBlockers, labelWith, lineBlockers, overruled, VIEWING_PAST } from '../../src/ui/blockers.ts';
import { cartChoices, DEFAULT_CART_NAME, nextCartName } from '../../src/ui/cart-choices.ts';
import { filterCatalog } from '../../src/ui/catalog-filter.ts';
import { cartWith } from './cart-lines-fixture.ts';

const money = (cents: number) => `€${(cents / 100).toFixed(2)}`;

const cart = (lines: [sku: string, quantity: number][], extra: Partial<CartView> = {}): CartView => cartWith(lines, { version: 1, ...extra });

describe('filterCatalog', () => {
  it('without a query lists every product under its category, in catalog order', () => {
    const groups = filterCatalog('  ');
    expect(groups.map((g) => g.category)).toEqual(categories);
    expect(groups.flatMap((g) => g.products)).toEqual(catalog);
  });

  it('matches every word in name, SKU or category, ignoring case and accents', () => {
    expect(filterCatalog('CREME').flatMap((g) => g.products.map((p) => p.sku))).toEqual(['DAI-007']);
    expect(filterCatalog('dairy 500').flatMap((g) => g.products.map((p) => p.sku))).toEqual(['DAI-002']);
    expect(filterCatalog('fru-00').every((g) => g.category === 'Fruit')).toBe(true);
    expect(filterCatalog('no such thing')).toEqual([]);
  });
});

describe('blockers', () => {
  it('say why a quantity cannot go below 1 or above 99', () => {
    const view = cart([['A', 1], ['B', 99], ['C', 5]]);
    const [one, full, middle] = view.lines as [CartView['lines'][0], CartView['lines'][0], CartView['lines'][0]];
    expect(lineBlockers(view, one)).toMatchObject({ increase: undefined, decrease: expect.stringMatching(/remove the line/) });
    expect(lineBlockers(view, full)).toMatchObject({ increase: expect.stringMatching(/99/), decrease: undefined });
    expect(lineBlockers(view, middle)).toEqual({ increase: undefined, decrease: undefined, remove: undefined });
  });

  it('block everything on a checked-out cart and checkout of an empty one', () => {
    const done = cart([['A', 2]], { status: 'checked-out' });
    expect(Object.values(lineBlockers(done, done.lines[0]!)).every((reason) => /checked out/.test(reason ?? ''))).toBe(true);
    expect(cartBlockers(done).checkout).toMatch(/checked out/);
    expect(cartBlockers(cart([]))).toEqual({
      checkout: expect.stringMatching(/empty/),
      clear: expect.stringMatching(/empty/),
      rename: undefined,
      archive: undefined,
      undo: expect.stringMatching(/no change to undo/),
    });
    expect(labelWith('Check out', undefined)).toBe('Check out');
    expect(labelWith('Check out', 'Empty.')).toBe('Check out — unavailable: Empty.');
  });
});

describe('the past overrules every blocker', () => {
  it('blocks every action with the one reason while the past is shown, and changes nothing otherwise', () => {
    const view = cart([['A', 2]], { version: 3 });
    expect(cartBlockers(view).undo).toBeUndefined();
    expect(overruled(cartBlockers(view), undefined)).toEqual(cartBlockers(view));
    expect(Object.values(overruled(cartBlockers(view), VIEWING_PAST))).toEqual(Array(5).fill(VIEWING_PAST));
    expect(Object.values(overruled(lineBlockers(view, view.lines[0]!), VIEWING_PAST))).toEqual(Array(3).fill(VIEWING_PAST));
  });
});

describe('rename and archive blockers', () => {
  it('a checked-out cart can be archived but not renamed; an archived one neither', () => {
    expect(cartBlockers(cart([['A', 1]], { status: 'checked-out' }))).toMatchObject({ rename: expect.stringMatching(/checked out/), archive: undefined });
    expect(cartBlockers(cart([], { status: 'archived' }))).toMatchObject({ rename: expect.stringMatching(/archived/), archive: expect.stringMatching(/already archived/) });
  });
});

describe('cartChoices and nextCartName', () => {
  const entry = (cartId: string, name: string, status: CartListEntry['status'], itemCount = 0): CartListEntry => ({
    cartId,
    name,
    status,
    itemCount,
    total: 0,
    updatedAt: '2026-11-27T06:00:00.000Z',
  });

  it('lists carts that are not archived, oldest first, told apart by what is in them', () => {
    const list = [entry('cart-0193', 'Party', 'open', 1), entry('cart-0191', 'My cart', 'checked-out', 2), entry('cart-0192', 'Old', 'archived')];
    expect(cartChoices(list)).toEqual([
      { cartId: 'cart-0191', label: 'My cart — checked out, 2 items' },
      { cartId: 'cart-0193', label: 'Party — 1 item' },
    ]);
    expect(cartChoices([])).toEqual([]);
  });

  it('names a new cart after the first free "My cart N", archived names being free again', () => {
    expect(nextCartName([])).toBe(DEFAULT_CART_NAME);
    expect(nextCartName([entry('cart-1', DEFAULT_CART_NAME, 'archived')])).toBe(DEFAULT_CART_NAME);
    expect(nextCartName([entry('cart-1', DEFAULT_CART_NAME, 'open'), entry('cart-2', `${DEFAULT_CART_NAME} 2`, 'checked-out')])).toBe(
      `${DEFAULT_CART_NAME} 3`,
    );
  });
});

describe('cartAnnouncement', () => {
  it('stays quiet on first load and when nothing changed', () => {
    expect(cartAnnouncement(undefined, cart([]), money)).toBe('');
    expect(cartAnnouncement(cart([['A', 1]]), cart([['A', 1]]), money)).toBe('');
  });

  it('names what changed, then the totals', () => {
    const before = cart([['A', 1], ['B', 2]]);
    const after = cart([['A', 3], ['C', 1]], { version: 4 });
    expect(cartAnnouncement(before, after, money)).toBe('Name A: quantity 3. Added Name C, quantity 1. Removed Name B. Cart: 4 items, total €4.00.');
    expect(cartAnnouncement(before, cart([], { version: 2 }), money)).toBe('Cart cleared. Cart: 0 items, total €0.00.');
  });

  it('announces an order and a switch of cart', () => {
    const open = cart([['A', 1]]);
    expect(cartAnnouncement(open, cart([['A', 1]], { status: 'checked-out', version: 2 }), money)).toBe('Order placed: 1 item, total €1.00.');
    expect(cartAnnouncement(open, cart([], { cartId: 'cart-2' }), money)).toBe('Now showing cart My cart: 0 items, total €0.00.');
  });
});

describe('typed quantities and past orders', () => {
  it('reads a whole number; anything else is refused with the reason', async () => {
    const { readQuantity } = await import('../../src/ui/qty-edit.ts');
    expect(readQuantity(' 12 ')).toEqual({ ok: true, quantity: 12 });
    expect(readQuantity('0')).toEqual({ ok: true, quantity: 0 }); // the decider says why 0 is refused
    expect(readQuantity('2.5')).toMatchObject({ ok: false, reason: expect.stringMatching(/whole number from 1 to 99/) });
    expect(readQuantity('')).toMatchObject({ ok: false });
    expect(readQuantity('abc')).toMatchObject({ ok: false });
  });

  it('lists checked-out and archived carts, newest first', async () => {
    const { pastOrders } = await import('../../src/ui/past-orders.ts');
    const at = (cartId: string, status: CartListEntry['status'], updatedAt: string): CartListEntry => ({ cartId, name: cartId, status, itemCount: 1, total: 1, updatedAt });
    const list = [at('a', 'checked-out', '2026-01-01'), at('b', 'open', '2026-03-01'), at('c', 'archived', '2026-02-01')];
    expect(pastOrders(list).map((c) => c.cartId)).toEqual(['c', 'a']);
  });
});
