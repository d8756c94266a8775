// Realistic cart histories as full envelopes (CONTRACT §2/§3), valid for the cart validator:
// what an import or a sync pull hands to store.appendBulk.
import { v7 as uuidv7 } from 'uuid';
import { catalog } from '../../src/cart/catalog.ts';
import type { CartEventEnvelope } from '../../src/cart/events.ts';
import type { EventEnvelope } from '../../src/es/envelope.ts';

export const DEVICE_ID = uuidv7();

const START = Date.parse('2026-01-01T08:00:00.000Z');

export const newCartId = () => `cart-${uuidv7()}`;

/**
 * One cart's events: CartOpened, `lines` ItemAdded, then ItemQuantityChanged on those lines for
 * the rest (the long history of someone who keeps changing their mind).
 */
export function cartHistory(streamId: string, length: number, lines = 30, seed = 0): EventEnvelope[] {
  const events: CartEventEnvelope[] = [];
  const skus: string[] = [];
  const envelope = (version: number, event: Pick<CartEventEnvelope, 'type' | 'data'>) =>
    ({
      id: uuidv7(),
      streamId,
      version,
      ...event,
      schemaVersion: 1,
      meta: { at: new Date(START + seed * 60_000 + version * 1000).toISOString(), deviceId: DEVICE_ID, commandId: uuidv7() },
    }) as CartEventEnvelope;
  events.push(envelope(1, { type: 'CartOpened', data: { name: `Weekly shop ${seed + 1}` } }));
  for (let version = 2; version <= length; version++) {
    if (skus.length < lines) {
      const { sku, name, unitPrice } = catalog[(seed * 7 + skus.length) % catalog.length]!;
      skus.push(sku);
      events.push(envelope(version, { type: 'ItemAdded', data: { sku, name, unitPrice, quantity: 1 + (version % 3) } }));
    } else {
      const sku = skus[version % skus.length]!;
      events.push(envelope(version, { type: 'ItemQuantityChanged', data: { sku, quantity: 1 + ((version * 7) % 99) } }));
    }
  }
  return events;
}

/** `carts` carts of `perCart` events each, stream after stream. */
export function manyCarts(carts: number, perCart: number, seedFrom = 0): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  for (let i = 0; i < carts; i++) events.push(...cartHistory(newCartId(), perCart, 30, seedFrom + i));
  return events;
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function averageJsonBytes(events: readonly unknown[]): number {
  const sample = events.slice(0, 1000);
  return sample.reduce<number>((sum, e) => sum + new TextEncoder().encode(JSON.stringify(e)).length, 0) / sample.length;
}
