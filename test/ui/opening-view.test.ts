// The page's first render on a reload: the session reads the stored cart's view as the store
// opens (no read of its own), hands it over once, and the cart follow still reads the stored row —
// so a write that lands between the open and the follow (another tab) is what ends on screen.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalog, openCarts, type Carts, type CartView } from '../../src/cart/index.ts';
import { deleteEventStore } from '../../src/es/index.ts';
import { followCartView } from '../../src/ui/cart-follow.ts';
import type { RowFollow } from '../../src/ui/row-follow.ts';
import { openSession, type Session } from '../../src/ui/session.ts';
import { CURRENT_CART_KEY, DEFAULT_CART_KEY } from '../../src/ui/stored-keys.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000e101';
const [apple, pear] = catalog as [(typeof catalog)[0], (typeof catalog)[0]];

const sessions: Session[] = [];
const opened: Carts[] = [];
const follows: RowFollow[] = [];
const names = new Set<string>();

afterEach(async () => {
  follows.splice(0).forEach((follow) => follow.close());
  sessions.splice(0).forEach((session) => session.close());
  opened.splice(0).forEach((carts) => carts.close());
  for (const name of names) await deleteEventStore(name);
  names.clear();
});

function memoryStorage(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  return { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
}

async function open(dbName: string, storage = memoryStorage()): Promise<Session> {
  names.add(dbName);
  const session = await openSession({ storage, deviceId: DEVICE, dbName });
  sessions.push(session);
  return session;
}

/** Another tab of the profile: its own connection and change channel on the same database. */
async function otherTab(name: string): Promise<Carts> {
  const carts = await openCarts({ name, deviceId: DEVICE });
  opened.push(carts);
  return carts;
}

const add = (carts: Carts, cartId: string, sku = apple.sku) => carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 1 } });

/** A cart with one apple in a fresh database, stored as the current one. */
async function storedCart() {
  const name = uniqueName('opening-view');
  const there = await otherTab(name);
  const cartId = await there.openCart('Groceries');
  await add(there, cartId);
  return { name, there, cartId, storage: memoryStorage({ [CURRENT_CART_KEY]: cartId }) };
}

function followed(carts: Carts, cartId: string, shown?: { view: CartView | undefined }) {
  const seen: (CartView | undefined)[] = [];
  follows.push(followCartView(carts, cartId, { onChange: (view) => seen.push(view), onError: (error) => { throw error; } }, shown));
  return {
    seen,
    async until(holds: (view: CartView | undefined) => boolean, what: string) {
      const deadline = Date.now() + 3000;
      while (!holds(seen.at(-1))) {
        if (Date.now() > deadline) throw new Error(`never shown: ${what} (shows ${JSON.stringify(seen.at(-1))})`);
        await new Promise((wake) => setTimeout(wake, 10));
      }
    },
  };
}

describe('the view a session opens on', () => {
  it('is the stored cart’s view as the store opened, handed over once', async () => {
    const { name, cartId, storage } = await storedCart();
    const session = await open(name, storage);
    expect(session.state.cartId).toBe(cartId);
    expect(session.carts.viewsAtOpen.get(cartId)).toEqual(await session.carts.view(cartId));
    const opening = session.takeOpeningView(cartId);
    expect(opening?.view).toEqual(await session.carts.view(cartId));
    expect(opening?.view?.itemCount).toBe(1);
    // Once: later it could be older than what is stored.
    expect(session.takeOpeningView(cartId)).toBeUndefined();
  });

  it('is for no other cart than the current one', async () => {
    const { name, cartId, storage } = await storedCart();
    const session = await open(name, storage);
    expect(session.takeOpeningView(`${cartId}-other`)).toBeUndefined();
    expect(session.takeOpeningView(cartId)?.view?.cartId).toBe(cartId);
  });

  it('is "no view" for the profile’s unopened default cart', async () => {
    const name = uniqueName('opening-view');
    const storage = memoryStorage({ [CURRENT_CART_KEY]: 'cart-unopened', [DEFAULT_CART_KEY]: 'cart-unopened' });
    const session = await open(name, storage);
    expect(session.state.cartId).toBe('cart-unopened');
    expect(session.takeOpeningView('cart-unopened')).toEqual({ view: undefined });
  });

  it('is not kept when the stored cart is archived: the session moves on, and there is nothing to hand over', async () => {
    const { name, there, cartId, storage } = await storedCart();
    const other = await there.openCart('Other');
    await there.execute(cartId, { type: 'ArchiveCart', data: {} });
    const session = await open(name, storage);
    expect(session.state.cartId).toBe(other);
    expect(session.takeOpeningView(other)).toBeUndefined();
  });
});

describe('following the cart from the view it opened on', () => {
  it('hands on nothing while the stored row is the one shown', async () => {
    const { name, cartId, storage } = await storedCart();
    const session = await open(name, storage);
    const opening = session.takeOpeningView(cartId)!;
    const reads = vi.spyOn(session.carts, 'view');
    const cart = followed(session.carts, cartId, opening);
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    await new Promise((wake) => setTimeout(wake, 20));
    expect(cart.seen).toEqual([]);
    // And it follows from there: this tab's next command is handed on.
    await add(session.carts, cartId, pear.sku);
    await cart.until((view) => view?.itemCount === 2, 'two items');
  });

  it('ends on the stored row when another tab wrote between the open and the follow', async () => {
    const { name, there, cartId, storage } = await storedCart();
    const session = await open(name, storage);
    const opening = session.takeOpeningView(cartId)!;
    // Told to this tab while nothing here followed the cart yet: the message finds no listener.
    await add(there, cartId, pear.sku);
    await new Promise((wake) => setTimeout(wake, 20));
    expect(opening.view?.itemCount).toBe(1);
    const cart = followed(session.carts, cartId, opening);
    await cart.until((view) => view?.itemCount === 2, 'the stored row, with the other tab’s pear');
    expect(cart.seen.at(-1)).toEqual(await session.carts.view(cartId));
  });

  it('ends on the stored row when another tab writes while the follow’s first read runs', async () => {
    const { name, there, cartId, storage } = await storedCart();
    const session = await open(name, storage);
    const opening = session.takeOpeningView(cartId)!;
    const cart = followed(session.carts, cartId, opening);
    const writes = [add(there, cartId, pear.sku), add(there, cartId, pear.sku)];
    await Promise.all(writes);
    await cart.until((view) => view?.lines.find((line) => line.sku === pear.sku)?.quantity === 2, 'both pears');
    expect(cart.seen.at(-1)).toEqual(await session.carts.view(cartId));
  });
});
