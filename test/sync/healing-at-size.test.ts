// Healing at the sizes shoppers reach (CONTRACT §5 "Healing"): a device that holds its carts in
// stored pages of many commands (it pulled them), a server restored from an older backup that
// holds part of those pages, and pull pages that end in the middle of a cart. The pass must
// finish, once, and fill the server again with every event the backup lacked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../src/es/envelope.ts';
import { cartHistory, newCartId } from '../bench/fixtures.ts';
import { logOf, newUser, openDevice, openTab, token, useServer } from './helpers.ts';

const server = useServer();

/** `carts` carts of `perCart` events, one event of every cart in turn (as shoppers interleave). */
function interleaved(carts: number, perCart: number): EventEnvelope[] {
  const histories = Array.from({ length: carts }, (_, i) => cartHistory(newCartId(), perCart, 8, i));
  return Array.from({ length: perCart }, (_, v) => histories.map((h) => h[v]!)).flat();
}

async function push(url: string, bearer: string, events: readonly EventEnvelope[]) {
  for (let i = 0; i < events.length; i += 1000) {
    const response = await fetch(`${url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'another-device', events: events.slice(i, i + 1000) }),
    });
    expect(response.status).toBe(200);
  }
}

afterEach(() => vi.restoreAllMocks());

describe('healing after a restore from an older backup, at size', () => {
  // The default pages (250, 500, then 1,000), and pages that end inside carts more often.
  it.each([{ pullLimit: undefined }, { pullLimit: 300 }])('finishes in one pass with 50 carts and 2,700 events (pullLimit $pullLimit)', { timeout: 120_000 }, async ({ pullLimit }) => {
    const userId = newUser();
    const bearer = await token(userId);
    const events = interleaved(50, 54);
    await push(server().url, bearer, events.slice(0, 2200));
    const backup = await server().backup();
    await push(server().url, bearer, events.slice(2200));

    const device = await openDevice({ url: server().url, token: bearer, ...(pullLimit ? { pullLimit } : {}) });
    expect(await device.engine.syncNow()).toMatchObject({ state: 'synced', pending: 0 });
    expect(await logOf(device.carts)).toHaveLength(2700);

    await server().restore(backup);
    const passes = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const status = await device.engine.syncNow();
    const healings = passes.mock.calls.filter(([line]) => String(line).includes('healing onto')).length;
    const upstream = await server().pullAll(userId);
    const held = await logOf(device.carts);
    console.log(`healing at size (pullLimit ${pullLimit ?? 'default'}): status ${status.state}/${status.pending}, passes ${healings}, server ${upstream.length}, device ${held.length}`);

    expect(status).toMatchObject({ state: 'synced', pending: 0 });
    expect(healings).toBe(1);
    expect(upstream).toHaveLength(2700);
    expect(new Set(upstream.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
    // The device holds the server's log, event for event, at the server's positions.
    expect([...held].sort((a, b) => a.position! - b.position!)).toEqual(upstream);
    expect(await device.engine.rejected()).toEqual([]);
  });
});

describe('two tabs that both lead (no Web Locks)', () => {
  it('heal in one pass between them: the second tab joins the first tab’s pass instead of starting over', { timeout: 60_000 }, async () => {
    const userId = newUser();
    const bearer = await token(userId);
    const events = interleaved(20, 30);
    await push(server().url, bearer, events);
    // Once armed, the first pull of each tab waits for the other's: both see the loss at once.
    let barrier: { waiting: number; release: () => void; released: Promise<void> } | undefined;
    const together = async (url: string, init: RequestInit) => {
      const gate = url.includes('/v1/pull') ? barrier : undefined;
      if (gate && gate.waiting < 2) {
        if (++gate.waiting === 2) gate.release();
        await gate.released;
      }
      return fetch(url, init);
    };
    const device = await openDevice({ url: server().url, token: bearer, pullLimit: 100, fetch: together });
    expect(await device.engine.syncNow()).toMatchObject({ state: 'synced', pending: 0 });
    const other = await openTab(device.carts, { url: server().url, token: bearer, pullLimit: 100, fetch: together });

    await server().restore(); // restored empty: another log
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    barrier = { waiting: 0, release, released };
    const passes = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [first, second] = await Promise.all([device.engine.syncNow(), other.engine.syncNow()]);
    const [third] = [await device.engine.syncNow(), await other.engine.syncNow()];
    const healings = passes.mock.calls.filter(([line]) => String(line).includes('healing onto')).length;
    const upstream = await server().pullAll(userId);
    console.log(`two tabs healing: ${first.state}/${second.state} then ${third.state}/${third.pending}, passes ${healings}, server ${upstream.length}`);

    expect(healings).toBe(1);
    expect(third).toMatchObject({ state: 'synced', pending: 0 });
    expect(new Set(upstream.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(upstream).toHaveLength(events.length);
  });
});
