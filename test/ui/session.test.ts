// The page's session in Node (fake-indexeddb): which cart is current, and how refusals reach
// state.error and leave it again.
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/index.ts';
import { deleteEventStore, DomainError } from '../../src/es/index.ts';
import { deviceIdFrom, DEVICE_ID_KEY } from '../../src/ui/device.ts';
import { DEFAULT_CART_NAME, openSession, type Session } from '../../src/ui/session.ts';
import { CURRENT_CART_KEY, DEFAULT_CART_KEY } from '../../src/ui/stored-keys.ts';
import { uniqueName } from '../es/fixtures.ts';
import { cartHistory } from '../bench/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000e001';
const [first, second] = catalog as [(typeof catalog)[0], (typeof catalog)[0]];
const [firstProduct, secondProduct] = [first, second];

function memoryStorage(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  return { map, getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
}

const sessions: Session[] = [];
const databases = new Set<string>();

async function open(storage = memoryStorage(), dbName = uniqueName('ui-session')): Promise<Session> {
  databases.add(dbName);
  const session = await openSession({ storage, deviceId: DEVICE, dbName });
  sessions.push(session);
  return session;
}

/** Opens the session's (lazy) default cart with a first command, and returns its id. */
async function opened(session: Session): Promise<string> {
  expect(await session.run({ type: 'RenameCart', data: { name: 'First' } })).toBe(true);
  return session.state.cartId;
}

afterEach(async () => {
  sessions.splice(0).forEach((session) => session.close());
  for (const name of databases) await deleteEventStore(name);
  databases.clear();
});

describe('the current cart', () => {
  it('gives way to the account’s carts that sync brings while it is the unopened default cart, and only then', async () => {
    const session = await open();
    const defaultId = session.state.cartId;
    const listOf = async (s: Session) => s.carts.list();
    // A cart of this device's own, opened in another tab: the default cart stays on show.
    const mine = `cart-${crypto.randomUUID()}`;
    await session.carts.execute(mine, { type: 'OpenCart', data: { cartId: mine, name: 'Mine' } });
    await session.cartsArrived(await listOf(session));
    expect(session.state.cartId).toBe(defaultId);
    expect(session.state.accountCarts).toBeFalsy();

    // The account's carts come in from another device (a second device, or a restore).
    const theirs = cartHistory(`cart-${crypto.randomUUID()}`, 3, 2, 1);
    await session.carts.store.appendBulk(theirs.map((e, i) => ({ ...e, position: i + 1 })));
    await session.cartsArrived(await listOf(session));
    // The most recently changed open cart is shown: here this device's own, changed last.
    expect(session.state.cartId).toBe(mine);
    expect(session.state.accountCarts).toBe(true);

    // A cart the shopper opened stays on show whatever arrives.
    const other = await open();
    const own = await opened(other);
    await other.carts.store.appendBulk(cartHistory(`cart-${crypto.randomUUID()}`, 2, 1, 2));
    await other.cartsArrived(await listOf(other));
    expect(other.state.cartId).toBe(own);
  });

  it('is opened by its first command on a fresh profile: adding works at once, and nothing is written before', async () => {
    const storage = memoryStorage();
    const dbName = uniqueName('ui-session');
    const session = await open(storage, dbName);
    const cartId = session.state.cartId;
    expect(cartId).toMatch(/^cart-/);
    expect(storage.map.get(DEFAULT_CART_KEY)).toBe(cartId);
    expect(storage.map.get(CURRENT_CART_KEY)).toBe(cartId);
    // An untouched default cart has no events, so a device that syncs pushes no empty cart.
    expect(await session.carts.view(cartId)).toBeUndefined();
    expect(await session.carts.list()).toEqual([]);

    // Another tab of the profile shows the same cart; both adding at once open it once.
    const other = await open(storage, dbName);
    expect(other.state.cartId).toBe(cartId);
    const [a, b] = await Promise.all([
      session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } }),
      other.run({ type: 'AddItem', data: { sku: second.sku, quantity: 1 } }),
    ]);
    expect([a, b]).toEqual([true, true]);
    expect(await session.carts.view(cartId)).toMatchObject({ status: 'open', name: DEFAULT_CART_NAME, itemCount: 2 });
    expect((await session.carts.store.readStream(cartId)).map((e) => e.type)).toEqual(['CartOpened', 'ItemAdded', 'ItemAdded']);
    expect((await session.carts.list()).length).toBe(1);
  });

  it('survives a reload: the stored cart is current again, even when checked out', async () => {
    const storage = memoryStorage();
    const dbName = uniqueName('ui-session');
    const before = await open(storage, dbName);
    await before.run({ type: 'AddItem', data: { sku: first.sku, quantity: 2 } });
    await before.run({ type: 'Checkout', data: {} });
    before.close();

    const after = await open(storage, dbName);
    expect(after.state.cartId).toBe(before.state.cartId);
    expect((await after.carts.list()).length).toBe(1);
  });

  it('falls back to the latest open cart when the stored one is archived or unknown', async () => {
    const dbName = uniqueName('ui-session');
    const setup = await open(memoryStorage(), dbName);
    const older = await opened(setup);
    await setup.newCart('Second');
    const newer = setup.state.cartId;
    await setup.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    await setup.run({ type: 'Checkout', data: {} });
    await setup.run({ type: 'ArchiveCart', data: {} });
    setup.close();

    expect((await open(memoryStorage({ [CURRENT_CART_KEY]: newer }), dbName)).state.cartId).toBe(older);
    expect((await open(memoryStorage({ [CURRENT_CART_KEY]: 'cart-gone' }), dbName)).state.cartId).toBe(older);
  });

  it('new cart opens an empty one and remembers it', async () => {
    const storage = memoryStorage();
    const session = await open(storage);
    const old = session.state.cartId;
    expect(await session.newCart()).toBe(true);
    expect(session.state.cartId).not.toBe(old);
    expect(storage.map.get(CURRENT_CART_KEY)).toBe(session.state.cartId);
    expect((await session.carts.view(session.state.cartId))?.lines).toEqual([]);
  });
});

describe('several carts', () => {
  it('new carts get the next free name; switching moves every command to the chosen cart', async () => {
    const storage = memoryStorage();
    const session = await open(storage);
    const first = session.state.cartId;
    await session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } });
    await session.newCart();
    const second = session.state.cartId;
    expect((await session.carts.view(second))?.name).toBe(`${DEFAULT_CART_NAME} 2`);
    await session.run({ type: 'AddItem', data: { sku: secondProduct.sku, quantity: 3 } });

    expect(await session.switchTo(first)).toBe(true);
    expect(storage.map.get(CURRENT_CART_KEY)).toBe(first);
    await session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } });
    expect((await session.carts.view(first))?.lines.map((l) => [l.sku, l.quantity])).toEqual([[firstProduct.sku, 2]]);
    expect((await session.carts.view(second))?.lines.map((l) => [l.sku, l.quantity])).toEqual([[secondProduct.sku, 3]]);
  });

  it('a switch waits its turn: what was clicked before it lands in the cart it was meant for', async () => {
    const session = await open();
    const first = await opened(session);
    await session.newCart();
    const second = session.state.cartId;
    await Promise.all([session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } }), session.switchTo(first)]);
    expect((await session.carts.view(second))?.itemCount).toBe(1);
    expect((await session.carts.view(first))?.itemCount).toBe(0);
  });

  it('refuses a switch to a cart that is archived or unknown, and stays put', async () => {
    const session = await open();
    const first = await opened(session);
    await session.newCart();
    const second = session.state.cartId;
    await session.carts.execute(first, { type: 'ArchiveCart', data: {} });
    expect(await session.switchTo(first)).toBe(false);
    expect(session.state.error).toMatch(/no longer/);
    expect(await session.switchTo('cart-unknown')).toBe(false);
    expect(session.state.cartId).toBe(second);
  });

  it('archive keeps the history and moves to the latest open cart, or opens a new one', async () => {
    const session = await open();
    const first = await opened(session);
    await session.newCart('Groceries');
    const second = session.state.cartId;
    await session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } });
    await session.run({ type: 'Checkout', data: {} });

    // A checked-out cart can still be archived; the latest *open* cart becomes current.
    expect(await session.archive()).toBe(true);
    expect(session.state.cartId).toBe(first);
    expect((await session.carts.view(second))).toMatchObject({ status: 'archived', itemCount: 1 });
    expect((await session.carts.store.readStream(second)).map((e) => e.type)).toEqual(['CartOpened', 'ItemAdded', 'CartCheckedOut', 'CartArchived']);

    expect(await session.archive()).toBe(true);
    const third = session.state.cartId;
    expect([first, second]).not.toContain(third);
    // The next default cart: opened by its first command, like a fresh profile's.
    expect(session.state.defaultCartId).toBe(third);
    expect(await session.carts.view(third)).toBeUndefined();
    await session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } });
    expect(await session.carts.view(third)).toMatchObject({ status: 'open', name: DEFAULT_CART_NAME, itemCount: 1 });
  });

  it('leaves a cart archived elsewhere, and does nothing while the current one is not', async () => {
    const session = await open();
    const first = await opened(session);
    expect(await session.leaveArchived()).toBe(true);
    expect(session.state.cartId).toBe(first);
    await session.carts.execute(first, { type: 'ArchiveCart', data: {} });
    await session.leaveArchived();
    expect(session.state.cartId).not.toBe(first);
    expect(session.state.cartId).toBe(session.state.defaultCartId);
  });

  it('rename goes through the rules: empty or over 80 characters is refused with the reason', async () => {
    const session = await open();
    expect(await session.run({ type: 'RenameCart', data: { name: '  Party  ' } })).toBe(true);
    expect((await session.carts.view(session.state.cartId))?.name).toBe('Party');
    expect(await session.run({ type: 'RenameCart', data: { name: '   ' } })).toBe(false);
    expect(session.state.error).toMatch(/name/i);
    expect(await session.run({ type: 'RenameCart', data: { name: 'x'.repeat(81) } })).toBe(false);
    expect(session.state.error).toMatch(/at most 80 characters — this one has 81/);
    await session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } });
    await session.run({ type: 'Checkout', data: {} });
    expect(await session.run({ type: 'RenameCart', data: { name: 'Later' } })).toBe(false);
    expect(session.state.error).toMatch(/checked out/);
  });
});

describe('another tab upgrading the database', () => {
  it('sets state.upgraded for good, apart from the refusals that come and go', async () => {
    const dbName = uniqueName('ui-session');
    const session = await open(memoryStorage(), dbName);
    const versions = await indexedDB.databases();
    const current = versions.find((db) => db.name === dbName)?.version ?? 1;
    await new Promise<void>((done, fail) => {
      const request = indexedDB.open(dbName, current + 10);
      request.onsuccess = () => (request.result.close(), done());
      request.onerror = () => fail(request.error);
    });
    expect(session.state.upgraded).toMatch(/Reload this tab/);
    expect(await session.run({ type: 'AddItem', data: { sku: firstProduct.sku, quantity: 1 } })).toBe(false);
    expect(session.state.error).toBe('');
    expect(session.state.upgraded).toMatch(/Reload/);
  });
});

describe('running commands', () => {
  it('shows a refusal’s reason until the next accepted command clears it', async () => {
    const session = await open();
    expect(await session.run({ type: 'Checkout', data: {} })).toBe(false);
    expect(session.state.error).toMatch(/empty/i);

    expect(await session.run({ type: 'RemoveItem', data: { sku: first.sku } })).toBe(false);
    expect(session.state.error).toContain(first.name);

    expect(await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } })).toBe(true);
    expect(session.state.error).toBe('');
  });

  it('dismissing hides the reason without running anything', async () => {
    const session = await open();
    await session.run({ type: 'Checkout', data: {} });
    session.dismissError();
    expect(session.state.error).toBe('');
  });

  it('adjust counts from the quantity at run time: quick presses all count', async () => {
    const session = await open();
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    // Not awaited one by one: all three are asked before any is written.
    const results = await Promise.all([session.adjust(first.sku, 1), session.adjust(first.sku, 1), session.adjust(first.sku, -1)]);
    expect(results).toEqual([true, true, true]);
    expect((await session.carts.view(session.state.cartId))?.lines[0]?.quantity).toBe(2);
  });

  it('adjust below 1 or on a missing line is refused with the decider’s reason', async () => {
    const session = await open();
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    expect(await session.adjust(first.sku, -1)).toBe(false);
    expect(session.state.error).toMatch(/remove the line/i);
    expect(await session.adjust(second.sku, 1)).toBe(false);
    expect(session.state.error).toContain(second.name);
  });

  it('a checked-out cart refuses changes until a new cart is opened', async () => {
    const session = await open();
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    await session.run({ type: 'Checkout', data: {} });
    expect(await session.run({ type: 'AddItem', data: { sku: second.sku, quantity: 1 } })).toBe(false);
    expect(session.state.error).toMatch(/checked out/i);
    expect(await session.newCart()).toBe(true);
    expect(session.state.error).toBe('');
    expect(await session.run({ type: 'AddItem', data: { sku: second.sku, quantity: 1 } })).toBe(true);
  });
});

describe('undo and other changes from the page', () => {
  it('undo takes back the last change; with nothing to undo, or on a checked-out cart, it says why', async () => {
    const session = await open();
    expect(await session.undo()).toBe(false);
    expect(session.state.error).toMatch(/no change to undo/);
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    await session.adjust(first.sku, 2);
    expect(await session.undo()).toBe(true);
    expect(session.state.error).toBe('');
    expect((await session.carts.view(session.state.cartId))?.lines[0]?.quantity).toBe(1);
    await session.run({ type: 'Checkout', data: {} });
    expect(await session.undo()).toBe(false);
    expect(session.state.error).toMatch(/checked out/);
  });

  it('change runs in the command queue and reports a refusal like a command', async () => {
    const session = await open();
    const order: string[] = [];
    const added = session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } }).then(() => order.push('add'));
    const changed = session.change(async () => void order.push('change'));
    await Promise.all([added, changed]);
    expect(order).toEqual(['add', 'change']);
    expect(await session.change(async () => Promise.reject(new DomainError('nope', 'Not now.')))).toBe(false);
    expect(session.state.error).toBe('Not now.');
  });
});

describe('the device id', () => {
  it('is a UUID made once and then kept', () => {
    const storage = memoryStorage();
    const id = deviceIdFrom(storage);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(storage.map.get(DEVICE_ID_KEY)).toBe(id);
    expect(deviceIdFrom(storage)).toBe(id);
    expect(deviceIdFrom(memoryStorage({ [DEVICE_ID_KEY]: 'not-a-uuid' }))).not.toBe('not-a-uuid');
  });
});

describe('refusals and offers on the page', () => {
  it('a refusal leaves by itself after errorMs, says which control it is about, and a newer one restarts the wait', async () => {
    const dbName = uniqueName('ui-session');
    databases.add(dbName);
    const session = await openSession({ storage: memoryStorage(), deviceId: DEVICE, dbName, errorMs: 120 });
    sessions.push(session);
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    expect(await session.run({ type: 'ChangeQuantity', data: { sku: first.sku, quantity: 100 } }, { at: `line:${first.sku}` })).toBe(false);
    expect(session.state.error).toMatch(/99/);
    expect(session.state.errorAt).toBe(`line:${first.sku}`);
    await new Promise((done) => setTimeout(done, 80));
    session.refuse('Typed wrong', `line:${first.sku}`);
    await new Promise((done) => setTimeout(done, 80));
    expect(session.state.error).toBe('Typed wrong');
    await new Promise((done) => setTimeout(done, 100));
    expect(session.state.error).toBe('');
    expect(session.state.errorAt).toBeUndefined();
  });

  it('remove and empty cart leave a notice offering undo, gone with the next command', async () => {
    const session = await open();
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 2 } });
    await session.run({ type: 'RemoveItem', data: { sku: first.sku } }, { notice: { text: `Removed ${first.name}.`, undo: true } });
    expect(session.state.notice).toEqual({ text: `Removed ${first.name}.`, undo: true });
    expect(await session.undo()).toBe(true);
    expect(session.state.notice).toBeUndefined();
    expect((await session.carts.view(session.state.cartId))?.lines.map((l) => [l.sku, l.quantity])).toEqual([[first.sku, 2]]);
  });

  it('add to a new cart, buy again and showing a past order', async () => {
    const session = await open();
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 3 } });
    await session.run({ type: 'AddItem', data: { sku: second.sku, quantity: 1 } });
    await session.run({ type: 'Checkout', data: {} });
    const ordered = session.state.cartId;

    expect(await session.addToNewCart(second.sku)).toBe(true);
    const fresh = session.state.cartId;
    expect(fresh).not.toBe(ordered);
    expect((await session.carts.view(fresh))?.lines.map((l) => [l.sku, l.quantity])).toEqual([[second.sku, 1]]);

    expect(await session.showOrder(ordered)).toBe(true);
    expect(session.state).toMatchObject({ cartId: ordered, pastOrder: true });
    expect(await session.showOrder(fresh)).toBe(false); // an open cart is not an order

    expect(await session.buyAgain(ordered)).toBe(true);
    const again = session.state.cartId;
    expect([ordered, fresh]).not.toContain(again);
    expect(session.state.pastOrder).toBe(false);
    const view = await session.carts.view(again);
    expect(view?.lines.map((l) => [l.sku, l.quantity])).toEqual([[first.sku, 3], [second.sku, 1]]);
    expect(view?.status).toBe('open');
    // One command: the new cart's events share one commandId.
    expect(new Set((await session.carts.store.readStream(again)).map((e) => e.meta.commandId)).size).toBe(1);
  });
});

describe('a dropped database connection', () => {
  it('twice in a row: the session says so (not as a refusal), and a command that works again clears it', async () => {
    const session = await open();
    await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } });
    // As WebKit does to background tabs: the next two readwrite transactions find the connection closed.
    const db = session.carts.store.db;
    const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
    let drops = 2;
    (db as { transaction: unknown }).transaction = async (...args: unknown[]) => {
      if (args[0] !== 'rw' || drops === 0) return transaction(...args);
      drops--;
      db.backendDB().close();
      throw Object.assign(new Error('Connection to Indexed Database server lost. Refresh the page to try again'), { name: 'UnknownError' });
    };
    expect(await session.run({ type: 'AddItem', data: { sku: second.sku, quantity: 1 } })).toBe(false);
    expect(session.state.connectionLost).toMatch(/Reload/);
    expect(session.state.error).toBe('');
    expect(await session.run({ type: 'AddItem', data: { sku: second.sku, quantity: 1 } })).toBe(true);
    expect(session.state.connectionLost).toBeUndefined();
  });
});
