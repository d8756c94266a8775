// The three-way count sees what an event-id count cannot: a change the device itself dropped, a
// command decided twice under new event ids, more changes than clicks. (Node only: no browser.)
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { countThreeWay } from './count.ts';
import type { DeviceView } from './device-view.ts';
import type { ShownCart, ShownRecord } from './shown.ts';

const CART = 'cart-0192f3c4-0000-7000-8000-000000000001';
const DEVICE = 'device-a';

let ids = 0;
/** One AddItem's event: `sku` to `quantity`, under `commandId`. */
function add(version: number, commandId: string, sku: string, quantity: number): EventEnvelope {
  const type = quantity === 1 ? 'ItemAdded' : 'ItemQuantityChanged';
  return { id: `event-${++ids}`, streamId: CART, version, type, schemaVersion: 1, data: { sku, quantity }, meta: { at: '', deviceId: DEVICE, commandId } } as EventEnvelope;
}

function shown(cart: ShownCart): ShownRecord {
  return { attach: async () => {}, carts: () => new Map([[CART, cart]]), totals: () => cart, deviceIds: () => new Set([DEVICE]) };
}

const device = (events: EventEnvelope[], rejected: DeviceView['rejected'] = []): DeviceView => ({ events, rejected, exists: true });
const three = [add(1, 'c1', 'A', 1), add(2, 'c2', 'A', 2), add(3, 'c3', 'A', 3)];

describe('the three-way count', () => {
  it('counts nothing lost when every shown change is held', () => {
    expect(countThreeWay({ shown: shown({ issued: 3, acknowledged: 3, refused: 0 }), device: device(three), server: three })).toMatchObject({ lost: 0, droppedByDevice: 0, notOnServer: 0, duplicated: 0 });
  });

  it('sees a change the device dropped though the server has it, and one neither has', () => {
    const counts = countThreeWay({ shown: shown({ issued: 4, acknowledged: 4, refused: 0 }), device: device(three.slice(0, 2)), server: three });
    expect(counts).toMatchObject({ droppedByDevice: 2, lost: 1, notOnServer: 1 });
  });

  it('takes a change rejected with a reason as accounted for', () => {
    const counts = countThreeWay({ shown: shown({ issued: 3, acknowledged: 3, refused: 0 }), device: device(three.slice(0, 2), [{ commandId: 'c9', cartId: CART, reason: 'checked out elsewhere' }]) });
    expect(counts).toMatchObject({ lost: 0, droppedByDevice: 0, rejected: 1 });
  });

  it('sees a command decided twice under new event ids, and more changes than clicks', () => {
    const twice = [...three, add(4, 'c3', 'A', 4)];
    expect(countThreeWay({ shown: shown({ issued: 3, acknowledged: 3, refused: 0 }), device: device(twice), server: twice }).duplicated).toBe(1);
    const extra = [...three, add(4, 'c4', 'A', 4)];
    expect(countThreeWay({ shown: shown({ issued: 3, acknowledged: 3, refused: 0 }), device: device(extra), server: extra }).duplicated).toBe(1);
  });
});
