// The histories the scenarios share, generated once per page.
import { openCarts } from '../../../src/cart/carts.ts';
import type { CartView } from '../../../src/cart/projections.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { DEVICE_ID, batches, cartHistory, manyCarts, newCartId } from '../fixtures.ts';

/** What one sync pull or import call hands the store. */
export const BATCH = 10_000;

let bulk: EventEnvelope[] | undefined;

/** 1000 carts × 100 events = 100 000 full envelopes. */
export function bulkEvents(): EventEnvelope[] {
  bulk ??= manyCarts(1000, 100);
  return bulk;
}

/**
 * `events` events in the database `name`: `current` of them are one cart's (a long run of
 * quantity changes over 20 lines), the rest other carts of 100 events. Async projections are
 * caught up before it returns, so no boot inherits that work.
 */
export async function seedHistory(name: string, events: number, current: number): Promise<CartView> {
  const cartId = newCartId();
  const carts = await openCarts({ name, deviceId: DEVICE_ID });
  try {
    for (const chunk of batches([...manyCarts((events - current) / 100, 100, 10), ...cartHistory(cartId, current, 20)], BATCH))
      await carts.store.appendBulk(chunk);
    await carts.store.catchUp();
    const view = await carts.view(cartId);
    if (view?.version !== current) throw new Error(`seed ${name}: cart at version ${view?.version}, not ${current}`);
    return view;
  } finally {
    carts.close();
  }
}
