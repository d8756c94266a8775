// Comparing a device's log with the server's copy, event for event: the shape the logs must have
// once everything synced (each event once, versions contiguous, the same positions). What was
// lost or duplicated is counted per command by count.ts; these are the asserts after it.
import { expect } from 'vitest';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import type { ConfirmedEvent } from '../../../src/sync/protocol.ts';

/** The server holds each of the device's events once, and nothing else. */
export function sameEvents(device: readonly EventEnvelope[], server: readonly ConfirmedEvent[]): boolean {
  const ids = new Set(server.map((event) => event.id));
  return ids.size === server.length && server.length === device.length && device.every((event) => ids.has(event.id));
}

/** The server holds exactly the device's events, once each, at the positions the device holds. */
export function expectSameLog(device: readonly EventEnvelope[], server: readonly ConfirmedEvent[]): void {
  expectContiguous(server);
  const byId = new Map(server.map((event) => [event.id, event]));
  // Same content, and the device knows each one as confirmed at the server's position.
  expect(device.map((event) => byId.get(event.id))).toEqual(device);
  expect(server.length).toBe(device.length);
  expect(byId.size).toBe(server.length);
}

/** Each stream's versions run 1, 2, 3… in position order. */
export function expectContiguous(server: readonly ConfirmedEvent[]): void {
  const versions = new Map<string, number[]>();
  for (const event of [...server].sort((a, b) => a.position - b.position)) (versions.get(event.streamId) ?? versions.set(event.streamId, []).get(event.streamId)!).push(event.version);
  for (const [streamId, seen] of versions) expect({ streamId, versions: seen }).toEqual({ streamId, versions: seen.map((_, i) => i + 1) });
}
