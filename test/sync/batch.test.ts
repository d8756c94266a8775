// Cutting the outbox into pushes: limits on events and bytes, and never half a command.
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/es/envelope.ts';
import { nextPush } from '../../src/sync/client/batch.ts';
import { retryAfter } from '../../src/sync/client/server.ts';
import { accountOf } from '../../src/sync/client/target.ts';
import { MAX_BODY_BYTES, MAX_PUSH_EVENTS } from '../../src/sync/protocol.ts';

/** `sizes[i]` events for command i, all in one stream, with a name of `pad` characters. */
function outbox(sizes: number[], pad = 10): EventEnvelope[] {
  let version = 0;
  return sizes.flatMap((size, command) =>
    Array.from({ length: size }, () => ({
      id: `e-${++version}`,
      streamId: 'cart-1',
      version,
      type: 'CartRenamed',
      schemaVersion: 1,
      data: { name: 'x'.repeat(pad) },
      meta: { at: '2026-01-01T00:00:00.000Z', deviceId: 'd', commandId: `c-${command}` },
    })),
  );
}

const bodyBytes = (body: unknown) => new TextEncoder().encode(JSON.stringify(body)).length;

describe('nextPush', () => {
  it('takes everything that fits, with the device id', () => {
    const events = outbox([1, 2, 3]);
    expect(nextPush(events, 'dev')).toEqual({ deviceId: 'dev', events });
    expect(nextPush([], 'dev')).toEqual({ deviceId: 'dev', events: [] });
  });

  it('stops before the event limit at a command boundary', () => {
    const body = nextPush(outbox([2, 2, 2]), 'dev', { events: 5, bytes: MAX_BODY_BYTES });
    expect(body.events.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(nextPush(outbox(Array(MAX_PUSH_EVENTS + 5).fill(1)), 'dev').events).toHaveLength(MAX_PUSH_EVENTS);
  });

  it('keeps the body within the byte limit, measured as UTF-8', () => {
    const events = outbox(Array(40).fill(1), 40_000).map((e) => ({ ...e, data: { name: 'é'.repeat(20_000) } }));
    const body = nextPush(events, 'dev');
    expect(bodyBytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(bodyBytes(nextPush(events.slice(0, body.events.length + 1), 'dev', { events: 1000, bytes: Infinity }))).toBeGreaterThan(MAX_BODY_BYTES);
  });

  it('sends a command over the limits alone, so the server can say why', () => {
    expect(nextPush(outbox([3, 1]), 'dev', { events: 2, bytes: MAX_BODY_BYTES }).events).toHaveLength(3);
  });
});

describe('wire details', () => {
  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfter('3')).toBe(3000);
    expect(retryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfter(null)).toBe(1000);
    expect(retryAfter('soon')).toBe(1000);
  });

  it('keys the cursor by the token’s subject', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'ada' })).toString('base64url');
    expect(accountOf(`h.${payload}.s`)).toBe('ada');
    expect(accountOf('opaque')).toBe('opaque');
  });
});
