// Comparing a device's log with the server's copy: each event once, versions contiguous,
// the same events with the same positions.
import { expect } from 'vitest';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import type { ConfirmedEvent } from '../../../src/sync/protocol.ts';

export interface LogComparison {
  /** Events the device holds that the server lacks. */
  lost: number;
  /** Extra copies of an event id on the server. */
  duplicated: number;
}

export function compare(device: readonly EventEnvelope[], server: readonly ConfirmedEvent[]): LogComparison {
  const copies = new Map<string, number>();
  for (const event of server) copies.set(event.id, (copies.get(event.id) ?? 0) + 1);
  return {
    lost: device.filter((event) => !copies.has(event.id)).length,
    duplicated: [...copies.values()].reduce((n, count) => n + count - 1, 0),
  };
}

/** The server holds exactly the device's events, once each, at the positions the device holds. */
export function expectSameLog(device: readonly EventEnvelope[], server: readonly ConfirmedEvent[]): void {
  expect(compare(device, server)).toEqual({ lost: 0, duplicated: 0 });
  expectContiguous(server);
  const byId = new Map(server.map((event) => [event.id, event]));
  // Same content, and the device knows each one as confirmed at the server's position.
  expect(device.map((event) => byId.get(event.id))).toEqual(device);
  expect(server.length).toBe(device.length);
}

/** Each stream's versions run 1, 2, 3… in position order. */
export function expectContiguous(server: readonly ConfirmedEvent[]): void {
  const versions = new Map<string, number[]>();
  for (const event of [...server].sort((a, b) => a.position - b.position)) (versions.get(event.streamId) ?? versions.set(event.streamId, []).get(event.streamId)!).push(event.version);
  for (const [streamId, seen] of versions) expect({ streamId, versions: seen }).toEqual({ streamId, versions: seen.map((_, i) => i + 1) });
}
