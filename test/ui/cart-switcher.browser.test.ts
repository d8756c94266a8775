// The switcher with 1,000 carts in Chromium, on a real IndexedDB (issue 12 item 4): a sync page
// that changes a few carts, or a command on one, touches only those carts' options.
import { mount, unmount } from 'svelte';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import { openCarts } from '../../src/cart/carts.ts';
import type { EventEnvelope } from '../../src/es/envelope.ts';
import { deleteEventStore } from '../../src/es/store.ts';
import SwitcherOnCarts from './SwitcherOnCarts.svelte';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const DEVICE = uuidv7();
const product = catalog[0]!;
const envelope = (streamId: string, version: number, type: string, data: unknown): EventEnvelope =>
  ({ id: uuidv7(), streamId, version, type, schemaVersion: 1, data, meta: { at: new Date().toISOString(), deviceId: DEVICE, commandId: uuidv7() } }) as EventEnvelope;

async function until(holds: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
}

describe('the cart switcher with 1,000 carts', () => {
  it('re-renders only the options of the carts a change touched', async () => {
    const carts = await openCarts({ name: `switcher-${uuidv7()}`, deviceId: DEVICE });
    const ids = Array.from({ length: 1000 }, () => `cart-${uuidv7()}`);
    await carts.store.appendBulk(ids.map((id, i) => envelope(id, 1, 'CartOpened', { name: `Cart ${i}` })));
    const target = document.body.appendChild(document.createElement('div'));
    const instance = mount(SwitcherOnCarts, { target, props: { carts, current: ids[0]! } });
    cleanup.push(async () => {
      await unmount(instance);
      target.remove();
      carts.close();
      await deleteEventStore(carts.store.name);
    });
    const select = target.querySelector('select')!;
    await until(() => select.options.length === 1000, '1,000 options');

    const changed = new Set<Node>();
    new MutationObserver((records) => records.forEach((record) => changed.add(record.target.nodeType === Node.TEXT_NODE ? record.target.parentNode! : record.target))).observe(select, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    const option = (cartId: string) => [...select.options].find((o) => o.value === cartId)!;

    // A sync page with an add to three carts.
    const synced = [ids[10]!, ids[500]!, ids[990]!];
    await carts.store.appendBulk(synced.map((id) => envelope(id, 2, 'ItemAdded', { sku: product.sku, name: product.name, unitPrice: product.unitPrice, quantity: 1 })));
    await until(() => synced.every((id) => option(id).textContent?.includes('1 item')), 'the synced carts show their item');
    // A command of this page on a fourth.
    await carts.execute(ids[700]!, { type: 'AddItem', data: { sku: product.sku, quantity: 2 } });
    await until(() => option(ids[700]!).textContent?.includes('2 items') ?? false, 'the command’s cart shows its items');
    await new Promise((wake) => setTimeout(wake, 50));

    expect([...changed].map((node) => (node as HTMLOptionElement).value).sort()).toEqual([...synced, ids[700]!].sort());
    expect(select.options.length).toBe(1000);
  });
});
