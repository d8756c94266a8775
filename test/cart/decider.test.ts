import { describe, expect, it } from 'vitest';
import type { CartCommand } from '../../src/cart/commands.ts';
import { cartDecider, evolveCart, evolveCartAll, MAX_LINES, type CartState } from '../../src/cart/decider.ts';
import type { CartEvent } from '../../src/cart/events.ts';
import { findProduct } from '../../src/cart/catalog.ts';
import { fold } from '../../src/es/decider.ts';
import { added, CART_ID, fixtureCatalog, fixtureProducts, given, opened } from './spec.ts';

const checkedOut: CartEvent = { type: 'CartCheckedOut', data: { total: 500, itemCount: 2 } };
const archived: CartEvent = { type: 'CartArchived', data: {} };
const bulkSkus = fixtureProducts.filter((product) => product.sku.startsWith('BLK-')).map((product) => product.sku);

/** Every command but OpenCart, as it would be sent to a cart holding two apples. */
const changes: CartCommand[] = [
  { type: 'RenameCart', data: { name: 'Party' } },
  { type: 'AddItem', data: { sku: 'BRD-001', quantity: 1 } },
  { type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 3 } },
  { type: 'RemoveItem', data: { sku: 'APL-001' } },
  { type: 'ClearCart', data: {} },
  { type: 'Checkout', data: {} },
];

describe('OpenCart', () => {
  it('opens a cart with the trimmed name', () => {
    given([])
      .when({ type: 'OpenCart', data: { cartId: CART_ID, name: '  Weekly shop \n' } })
      .then([{ type: 'CartOpened', data: { name: 'Weekly shop' } }]);
  });

  it('accepts a name of exactly 80 characters, counting an emoji as one', () => {
    const name = `${'a'.repeat(79)}🛒`;
    given([]).when({ type: 'OpenCart', data: { cartId: CART_ID, name } }).then([{ type: 'CartOpened', data: { name } }]);
  });

  it.each([
    ['empty', ''],
    ['blank', '   \t '],
    ['81 characters', 'a'.repeat(81)],
  ])('refuses a name that is %s', (_, name) => {
    given([]).when({ type: 'OpenCart', data: { cartId: CART_ID, name } }).thenThrows('invalid_name');
  });

  it('says how long a too long name is', () => {
    const error = given([]).when({ type: 'OpenCart', data: { cartId: CART_ID, name: 'x'.repeat(93) } }).thenThrows('invalid_name');
    expect(error.message).toContain('93');
  });

  it.each(['0192f3c4-5b6a-7c8d-9e0f-123456789abc', 'cart-0192F3C4-5B6A-7C8D-9E0F-123456789ABC', 'cart-1'])(
    'refuses the cart id %s',
    (cartId) => {
      given([]).when({ type: 'OpenCart', data: { cartId, name: 'Weekly shop' } }).thenThrows('invalid_cart_id');
    },
  );

  it.each([
    ['open', [opened]],
    ['checked-out', [opened, added('APL-001'), checkedOut]],
    ['archived', [opened, archived]],
  ])('refuses to open a cart that exists (%s)', (_, history) => {
    given(history).when({ type: 'OpenCart', data: { cartId: CART_ID, name: 'Again' } }).thenThrows('cart_already_exists');
  });
});

describe('a cart that does not exist', () => {
  it.each([...changes, { type: 'ArchiveCart', data: {} } as const])('refuses $type', (command) => {
    given([]).when(command).thenThrows('cart_not_found');
  });
});

describe('RenameCart', () => {
  it('renames to the trimmed name', () => {
    given([opened]).when({ type: 'RenameCart', data: { name: ' Party ' } }).then([{ type: 'CartRenamed', data: { name: 'Party' } }]);
  });

  it.each(['Weekly shop', '  Weekly shop  '])('changes nothing when renamed to the same name (%j)', (name) => {
    given([opened]).when({ type: 'RenameCart', data: { name } }).then([]);
  });

  it.each(['', '  ', 'b'.repeat(81)])('refuses the name %j', (name) => {
    given([opened]).when({ type: 'RenameCart', data: { name } }).thenThrows('invalid_name');
  });
});

describe('AddItem', () => {
  it('starts a line with the name and price the catalog has now', () => {
    given([opened])
      .when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 2 } })
      .then([{ type: 'ItemAdded', data: { sku: 'APL-001', name: 'Apples', unitPrice: 250, quantity: 2 } }]);
  });

  it('copies a repriced product at its new price', () => {
    const catalog = fixtureCatalog();
    catalog.reprice('APL-001', 275);
    given([opened], catalog)
      .when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 1 } })
      .then([{ type: 'ItemAdded', data: { sku: 'APL-001', name: 'Apples', unitPrice: 275, quantity: 1 } }]);
  });

  it('adds a free product (price 0)', () => {
    given([opened])
      .when({ type: 'AddItem', data: { sku: 'FRE-001', quantity: 1 } })
      .then([{ type: 'ItemAdded', data: { sku: 'FRE-001', name: 'Free sample', unitPrice: 0, quantity: 1 } }]);
  });

  it('sets the new absolute quantity when the SKU is already in the cart', () => {
    given([opened, added('APL-001', 2)])
      .when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 3 } })
      .then([{ type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 5 } }]);
  });

  it('fills a line up to exactly 99', () => {
    given([opened, added('APL-001', 60)])
      .when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 39 } })
      .then([{ type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 99 } }]);
  });

  it('refuses to take a line over 99 rather than clamping it', () => {
    const error = given([opened, added('APL-001', 60)])
      .when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 40 } })
      .thenThrows('line_quantity_over_limit');
    expect(error.message).toContain('100');
    expect(error.message).toContain('99');
  });

  it('accepts 1 and 99', () => {
    given([opened]).when({ type: 'AddItem', data: { sku: 'MLK-001', quantity: 99 } }).then([added('MLK-001', 99)]);
    given([opened]).when({ type: 'AddItem', data: { sku: 'MLK-001', quantity: 1 } }).then([added('MLK-001', 1)]);
  });

  it.each([0, -1, 100, 120, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the quantity %d', (quantity) => {
    given([opened]).when({ type: 'AddItem', data: { sku: 'APL-001', quantity } }).thenThrows('invalid_quantity');
  });

  it('tells the shopper what they asked for', () => {
    const error = given([opened]).when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 120 } }).thenThrows('invalid_quantity');
    expect(error.message).toBe('Quantity must be between 1 and 99 — you asked for 120.');
  });

  it('refuses a SKU that is not in the catalog', () => {
    const error = given([opened]).when({ type: 'AddItem', data: { sku: 'NOPE-9', quantity: 1 } }).thenThrows('unknown_product');
    expect(error.message).toContain('NOPE-9');
  });

  it('refuses more of a SKU that left the catalog, even one already in the cart', () => {
    const catalog = fixtureCatalog();
    catalog.delist('APL-001');
    given([opened, added('APL-001')], catalog).when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 1 } }).thenThrows('unknown_product');
  });

  it(`holds at most ${MAX_LINES} distinct lines`, () => {
    const full = [opened, ...bulkSkus.map((sku) => added(sku))];
    expect(full).toHaveLength(MAX_LINES + 1);
    given(full).when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 1 } }).thenThrows('too_many_lines');
    // A full cart still takes more of what it already holds.
    given(full)
      .when({ type: 'AddItem', data: { sku: 'BLK-001', quantity: 1 } })
      .then([{ type: 'ItemQuantityChanged', data: { sku: 'BLK-001', quantity: 2 } }]);
  });

  it('takes the 50th line', () => {
    const almostFull = [opened, ...bulkSkus.slice(1).map((sku) => added(sku))];
    given(almostFull).when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 1 } }).then([added('APL-001')]);
  });

  it('has room again after a line is removed', () => {
    const full = [opened, ...bulkSkus.map((sku) => added(sku))];
    given([...full, { type: 'ItemRemoved', data: { sku: 'BLK-007' } }])
      .when({ type: 'AddItem', data: { sku: 'APL-001', quantity: 1 } })
      .then([added('APL-001')]);
  });
});

describe('ChangeQuantity', () => {
  const withApples = [opened, added('APL-001', 2)];

  it('sets the absolute quantity', () => {
    given(withApples)
      .when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 7 } })
      .then([{ type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 7 } }]);
  });

  it('changes nothing when set to the current quantity', () => {
    given(withApples).when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 2 } }).then([]);
  });

  it('refuses 0 and says to remove the line instead', () => {
    const error = given(withApples).when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 0 } }).thenThrows('invalid_quantity');
    expect(error.message).toMatch(/remove/);
  });

  it.each([100, -3, 2.5])('refuses %d', (quantity) => {
    given(withApples).when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity } }).thenThrows('invalid_quantity');
  });

  it('refuses a SKU that is not in the cart', () => {
    const error = given(withApples).when({ type: 'ChangeQuantity', data: { sku: 'BRD-001', quantity: 1 } }).thenThrows('item_not_in_cart');
    expect(error.message).toBe('Bread is not in this cart.');
  });

  it('refuses a SKU that was removed or cleared', () => {
    given([...withApples, { type: 'ItemRemoved', data: { sku: 'APL-001' } }])
      .when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 1 } })
      .thenThrows('item_not_in_cart');
    given([...withApples, { type: 'CartCleared', data: {} }])
      .when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 1 } })
      .thenThrows('item_not_in_cart');
  });

  it('changes a SKU that left the catalog', () => {
    const catalog = fixtureCatalog();
    catalog.delist('APL-001');
    given(withApples, catalog)
      .when({ type: 'ChangeQuantity', data: { sku: 'APL-001', quantity: 4 } })
      .then([{ type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 4 } }]);
  });
});

describe('RemoveItem', () => {
  it('removes a line', () => {
    given([opened, added('APL-001'), added('BRD-001')])
      .when({ type: 'RemoveItem', data: { sku: 'APL-001' } })
      .then([{ type: 'ItemRemoved', data: { sku: 'APL-001' } }]);
  });

  it('refuses a SKU that is not in the cart', () => {
    given([opened, added('APL-001')]).when({ type: 'RemoveItem', data: { sku: 'MLK-001' } }).thenThrows('item_not_in_cart');
    given([opened]).when({ type: 'RemoveItem', data: { sku: 'NOPE-1' } }).thenThrows('item_not_in_cart');
  });

  it('removes a SKU that left the catalog', () => {
    const catalog = fixtureCatalog();
    catalog.delist('APL-001');
    given([opened, added('APL-001')], catalog)
      .when({ type: 'RemoveItem', data: { sku: 'APL-001' } })
      .then([{ type: 'ItemRemoved', data: { sku: 'APL-001' } }]);
  });
});

describe('ClearCart', () => {
  it('clears every line in one event', () => {
    given([opened, added('APL-001'), added('BRD-001')]).when({ type: 'ClearCart', data: {} }).then([{ type: 'CartCleared', data: {} }]);
  });

  it('changes nothing on an empty cart', () => {
    given([opened]).when({ type: 'ClearCart', data: {} }).then([]);
    given([opened, added('APL-001'), { type: 'ItemRemoved', data: { sku: 'APL-001' } }]).when({ type: 'ClearCart', data: {} }).then([]);
  });
});

describe('Checkout', () => {
  it('records the total in cents and the number of items', () => {
    given([opened, added('APL-001', 2), added('BRD-001', 3), { type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 4 } }])
      .when({ type: 'Checkout', data: {} })
      .then([{ type: 'CartCheckedOut', data: { total: 4 * 250 + 3 * 199, itemCount: 7 } }]);
  });

  it('charges the price each line was added at, not today’s', () => {
    const catalog = fixtureCatalog();
    catalog.reprice('APL-001', 999);
    catalog.delist('BRD-001');
    given([opened, added('APL-001'), added('BRD-001')], catalog)
      .when({ type: 'Checkout', data: {} })
      .then([{ type: 'CartCheckedOut', data: { total: 250 + 199, itemCount: 2 } }]);
  });

  it('refuses an empty cart', () => {
    given([opened]).when({ type: 'Checkout', data: {} }).thenThrows('cart_empty');
    given([opened, added('APL-001'), { type: 'CartCleared', data: {} }]).when({ type: 'Checkout', data: {} }).thenThrows('cart_empty');
  });
});

describe('a checked-out cart', () => {
  const done = [opened, added('APL-001', 2), checkedOut];

  it.each(changes)('refuses $type', (command) => {
    given(done).when(command).thenThrows('cart_checked_out');
  });

  it('refuses even a change that would change nothing', () => {
    given(done).when({ type: 'RenameCart', data: { name: 'Weekly shop' } }).thenThrows('cart_checked_out');
  });

  it('can be archived', () => {
    given(done).when({ type: 'ArchiveCart', data: {} }).then([{ type: 'CartArchived', data: {} }]);
  });
});

describe('ArchiveCart', () => {
  it('archives an open cart', () => {
    given([opened, added('APL-001')]).when({ type: 'ArchiveCart', data: {} }).then([{ type: 'CartArchived', data: {} }]);
  });

  it('changes nothing on an archived cart', () => {
    given([opened, archived]).when({ type: 'ArchiveCart', data: {} }).then([]);
  });
});

describe('an archived cart', () => {
  it.each(changes)('refuses $type', (command) => {
    given([opened, added('APL-001', 2), archived]).when(command).thenThrows('cart_archived');
    given([opened, added('APL-001', 2), checkedOut, archived]).when(command).thenThrows('cart_archived');
  });
});

describe('cartDecider', () => {
  it('refuses a command it does not know', () => {
    const command = { type: 'Teleport', data: {} } as unknown as CartCommand;
    given([opened]).when(command).thenThrows('unknown_command');
  });

  it('uses the bundled catalog', () => {
    const product = findProduct('FRU-001');
    expect(product).toBeDefined();
    const state = fold(cartDecider, [opened]);
    expect(cartDecider.decide({ type: 'AddItem', data: { sku: 'FRU-001', quantity: 1 } }, state)).toEqual([
      { type: 'ItemAdded', data: { sku: 'FRU-001', name: product?.name, unitPrice: product?.unitPrice, quantity: 1 } },
    ]);
  });

  it('folds into plain data that survives structured cloning (it is stored as a snapshot)', () => {
    const state = fold(cartDecider, [opened, added('APL-001', 2), added('BRD-001'), { type: 'ItemRemoved', data: { sku: 'APL-001' } }]);
    expect(state).toEqual({ status: 'open', name: 'Weekly shop', lines: [{ sku: 'BRD-001', name: 'Bread', unitPrice: 199, quantity: 1 }] });
    expect(structuredClone(state)).toEqual(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('keeps lines in the order they were added', () => {
    const state = fold(cartDecider, [
      opened,
      added('MLK-001'),
      added('APL-001'),
      added('BRD-001'),
      { type: 'ItemQuantityChanged', data: { sku: 'MLK-001', quantity: 5 } },
    ]);
    expect(state.lines.map((line) => line.sku)).toEqual(['MLK-001', 'APL-001', 'BRD-001']);
  });

  it('evolves without touching the state it was given', () => {
    const before = fold(cartDecider, [opened, added('APL-001')]);
    const copy = structuredClone(before);
    cartDecider.evolve(before, { type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 9 } });
    cartDecider.evolve(before, { type: 'CartCleared', data: {} });
    expect(before).toEqual(copy);
  });

  // A bulk fold changes its own copy in place, event by event: the state it started from, shared
  // with a stored row, must come out as it went in.
  it('folds many events at once without touching the state it was given, as one at a time would', () => {
    const deepFreeze = (state: CartState): CartState => Object.freeze({ ...state, lines: Object.freeze(state.lines.map((line) => Object.freeze(line))) as CartState['lines'] });
    const before = deepFreeze(fold(cartDecider, [opened, added('APL-001'), added('BRD-001'), added('MLK-001')]));
    const events: CartEvent[] = [
      { type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 9 } },
      { type: 'ItemRemoved', data: { sku: 'BRD-001' } },
      { type: 'CartRenamed', data: { name: 'Party' } },
      added('MLK-001', 2),
      { type: 'CartCleared', data: {} },
      added('APL-001', 3),
      checkedOut,
    ];
    const copy = structuredClone(before);
    const all = evolveCartAll(before, events);
    expect(before).toEqual(copy);
    expect(all).toEqual(events.reduce(evolveCart, before));
    expect(all).toEqual({ status: 'checked-out', name: 'Party', lines: [expect.objectContaining({ sku: 'APL-001', quantity: 3 })] });
  });

  it('matches a line by SKU wherever it appears, as an imported log may repeat one', () => {
    const twice = fold(cartDecider, [opened, added('APL-001'), added('BRD-001'), added('APL-001')]);
    expect(evolveCart(twice, { type: 'ItemQuantityChanged', data: { sku: 'APL-001', quantity: 4 } }).lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['APL-001', 4],
      ['BRD-001', 1],
      ['APL-001', 4],
    ]);
    expect(evolveCart(twice, { type: 'ItemRemoved', data: { sku: 'APL-001' } }).lines.map((l) => l.sku)).toEqual(['BRD-001']);
  });
});
