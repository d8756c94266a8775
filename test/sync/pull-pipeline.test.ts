// Pulling pipelined (issue 12): a new device's first sync asks for the next page while it writes
// this one, and that never costs correctness: a page whose write fails is pulled again, the cursor
// never passes events the device does not hold, and every device ends with the same carts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import type { Carts } from '../../src/cart/carts.ts';
import type { EventStore } from '../../src/es/store.ts';
import { closeDevices, logOf, newUser, openDevice, startServer, token, type TestServer } from './helpers.ts';

const skus = catalog.map((p) => p.sku);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());
afterEach(closeDevices);

/** One device of a fresh account that synced `carts` carts of 1 + `lines` events each. */
async function accountWithCarts(carts: number, lines: number) {
  const userId = newUser();
  const me = { url: server.url, token: await token(userId) };
  const a = await openDevice(me);
  const cartIds: string[] = [];
  for (let c = 0; c < carts; c++) {
    const cartId = await a.carts.openCart(`Cart ${c}`);
    for (let l = 0; l < lines; l++) await a.carts.execute(cartId, { type: 'AddItem', data: { sku: skus[l]!, quantity: 1 } });
    cartIds.push(cartId);
  }
  expect((await a.engine.syncNow()).state).toBe('synced');
  return { me, a, cartIds };
}

/** Wraps the store's bulk append (the pull's write) with `around`. */
function aroundBulk(carts: Carts, around: (write: () => Promise<unknown>, nth: number) => Promise<unknown>) {
  const store = carts.store as { appendBulk: EventStore['appendBulk'] };
  const original = store.appendBulk.bind(store);
  let nth = 0;
  store.appendBulk = (events, options) => around(() => original(events, options), ++nth) as ReturnType<EventStore['appendBulk']>;
}

const views = (carts: Carts, cartIds: readonly string[]) => Promise.all(cartIds.map((id) => carts.view(id)));

describe('pulling, pipelined', () => {
  it('asks for the next page while it writes this one', async () => {
    const { me, a, cartIds } = await accountWithCarts(4, 3);
    const timeline: string[] = [];
    const b = await openDevice({
      ...me,
      pullLimit: 4,
      fetch: (url: string, init: RequestInit) => {
        if (url.includes('/v1/pull')) timeline.push(`ask ${new URL(url).searchParams.get('limit')}`);
        return fetch(url, init);
      },
    });
    aroundBulk(b.carts, async (write, nth) => {
      timeline.push(`write ${nth} starts`);
      const out = await write();
      timeline.push(`write ${nth} done`);
      return out;
    });
    expect((await b.engine.syncNow()).state).toBe('synced');
    // 16 events in pages growing to the limit of 4 (1, 2, 4, 4, 4, 1): while page 1 is written,
    // page 2 has been asked for already.
    expect(timeline.filter((step) => step.startsWith('ask'))).toEqual(['ask 1', 'ask 2', 'ask 4', 'ask 4', 'ask 4', 'ask 4']);
    expect(timeline.indexOf('ask 2')).toBeLessThan(timeline.indexOf('write 1 done'));
    expect(await views(b.carts, cartIds)).toEqual(await views(a.carts, cartIds));
  });

  it('pulls a page again when its write failed, and never moves the cursor past what it holds', async () => {
    const { me, a, cartIds } = await accountWithCarts(3, 4);
    const b = await openDevice({ ...me, pullLimit: 20 }); // pages of 5, 10, then 20
    aroundBulk(b.carts, async (write, nth) => {
      if (nth === 2) throw new Error('the tab died mid-write');
      return write();
    });
    const first = await b.engine.syncNow().catch((error: unknown) => error);
    expect(first).not.toMatchObject({ state: 'synced' });
    // Only the first page is here, and the next pass starts right after it.
    expect((await logOf(b.carts)).length).toBe(5);
    expect((await b.engine.syncNow()).state).toBe('synced');
    const log = await logOf(b.carts);
    expect(log.length).toBe(15);
    expect(new Set(log.map((e) => e.id)).size).toBe(15);
    expect(await views(b.carts, cartIds)).toEqual(await views(a.carts, cartIds));
  });
});
