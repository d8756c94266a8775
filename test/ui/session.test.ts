// The page's session in Node (fake-indexeddb): which cart is current, and how refusals reach
// state.error and leave it again.
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/index.ts';
import { deleteEventStore } from '../../src/es/index.ts';
import { deviceIdFrom, DEVICE_ID_KEY } from '../../src/ui/device.ts';
import { CURRENT_CART_KEY, DEFAULT_CART_NAME, openSession, type Session } from '../../src/ui/session.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000e001';
const [first, second] = catalog as [(typeof catalog)[0], (typeof catalog)[0]];

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

afterEach(async () => {
  sessions.splice(0).forEach((session) => session.close());
  for (const name of databases) await deleteEventStore(name);
  databases.clear();
});

describe('the current cart', () => {
  it('is opened by itself on a fresh profile, so adding works at once', async () => {
    const storage = memoryStorage();
    const session = await open(storage);
    const view = await session.carts.view(session.state.cartId);
    expect(view).toMatchObject({ status: 'open', name: DEFAULT_CART_NAME, lines: [] });
    expect(storage.map.get(CURRENT_CART_KEY)).toBe(session.state.cartId);

    expect(await session.run({ type: 'AddItem', data: { sku: first.sku, quantity: 1 } })).toBe(true);
    expect((await session.carts.view(session.state.cartId))?.itemCount).toBe(1);
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
    const older = setup.state.cartId;
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
