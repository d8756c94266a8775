// Carts another device made, pushed straight to the server over /v1/push: the sizes shoppers
// reach (thousands of events, dozens of carts) without clicking them one by one. A device that
// pulls them stores them in pages of many commands, which is where healing once broke.
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { batches, cartHistory, newCartId } from '../../bench/fixtures.ts';
import type { SyncServer } from './server.ts';

/** `carts` cart histories of `perCart` events (CartOpened, 8 lines, then quantity changes). */
export function cartHistories(carts: number, perCart: number): EventEnvelope[][] {
  return Array.from({ length: carts }, (_, i) => cartHistory(newCartId(), perCart, 8, i));
}

/** Versions from..to-1 of each history, one event of every cart in turn (as shoppers interleave). */
export function interleave(histories: readonly EventEnvelope[][], from: number, to: number): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  for (let v = from; v < to; v++) for (const history of histories) if (history[v]) events.push(history[v]!);
  return events;
}

/** Pushes `events` in order as `token`'s user, in requests of 500 (under the 1,000 and 1 MiB limits). */
export async function pushEvents(server: SyncServer, token: string, events: readonly EventEnvelope[]): Promise<void> {
  for (const chunk of batches(events, 500)) {
    const response = await fetch(`http://127.0.0.1:${server.port}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'chaos-seed', events: chunk }),
    });
    if (!response.ok) throw new Error(`seeding push answered ${response.status}: ${await response.text()}`);
  }
}
