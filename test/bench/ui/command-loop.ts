// Put into the app page after its clicks (ui-append): the same AddItem command back to back in a
// loop, through the same command path (openCarts → carts.execute), in the same page — on a
// database of its own, so the app's page does not react to these writes. Built as a classic
// script by loop-script.ts; the transactions are timed by the page's instrumentation
// (append.ts), exactly as the clicks' are.
import { openCarts } from '../../../src/cart/carts.ts';
import { deleteEventStore } from '../../../src/es/store.ts';

/** Runs `warmUp + measured` AddItems of `skus` in turn on a fresh cart; returns each call's time (ms), measured ones only. */
export async function addItemLoop(database: string, skus: readonly string[], warmUp: number, measured: number): Promise<number[]> {
  const carts = await openCarts({ name: database, deviceId: crypto.randomUUID() });
  try {
    const cartId = await carts.openCart('Loop cart');
    const calls: number[] = [];
    for (let i = 0; i < warmUp + measured; i++) {
      const start = performance.now();
      await carts.execute(cartId, { type: 'AddItem', data: { sku: skus[i % skus.length]!, quantity: 1 } });
      if (i >= warmUp) calls.push(performance.now() - start);
    }
    return calls;
  } finally {
    carts.close();
    await deleteEventStore(database);
  }
}
