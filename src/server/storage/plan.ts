// The decision of a push, shared by every storage: given what is already stored about the
// pushed ids and streams (read inside the write transaction), which events are new, which are
// retries, and whether the whole push must be refused. Pure, so both storages agree exactly.
import { jsonEqual } from '../../es/equal.ts';
import type { PushedEvent } from '../../sync/protocol.ts';
import type { PushRejection } from './types.ts';

export interface StoredStream {
  userId: string;
  version: number;
}

export interface Known {
  /** Stored events among the pushed ids, without their position. */
  events: Map<string, { event: PushedEvent; position: number }>;
  /** Stored streams among the pushed stream ids. */
  streams: Map<string, StoredStream>;
}

/** Where a pushed event's position comes from: already stored, or the n-th new event. */
export type Slot = { position: number } | { fresh: number };

export interface Plan {
  fresh: PushedEvent[];
  slots: Slot[];
  /** Each touched stream's version after the push; `created` when this push claims it. */
  streams: { streamId: string; version: number; created: boolean }[];
}

export function planPush(userId: string, events: PushedEvent[], known: Known): Plan | PushRejection {
  // Ownership first: 403 comes before 409 (CONTRACT §5), whichever event would conflict.
  for (const [index, event] of events.entries()) {
    const owner = known.streams.get(event.streamId)?.userId;
    if (owner !== undefined && owner !== userId) return { kind: 'forbidden', index, streamId: event.streamId };
  }

  const fresh: PushedEvent[] = [];
  const slots: Slot[] = [];
  const inBatch = new Map<string, { event: PushedEvent; slot: Slot }>();
  const versions = new Map<string, number>();
  for (const [index, event] of events.entries()) {
    // A retry may repeat an event already stored, or (a confused client) twice in one batch.
    const earlier = known.events.get(event.id) ?? inBatch.get(event.id);
    if (earlier) {
      if (!jsonEqual(earlier.event, event)) return { kind: 'id_conflict', index, id: event.id };
      slots.push('position' in earlier ? { position: earlier.position } : earlier.slot);
      continue;
    }
    const stored = known.streams.get(event.streamId)?.version ?? 0;
    const current = versions.get(event.streamId) ?? stored;
    if (event.version !== current + 1) {
      // expectedVersion is the server's figure (its stream version + 1), even when the event
      // breaks contiguity inside the batch: nothing of the batch is stored, so that is what holds.
      return { kind: 'version_conflict', index, streamId: event.streamId, expectedVersion: stored + 1, receivedVersion: event.version };
    }
    versions.set(event.streamId, event.version);
    const slot = { fresh: fresh.length };
    fresh.push(event);
    slots.push(slot);
    inBatch.set(event.id, { event, slot });
  }
  const streams = [...versions].map(([streamId, version]) => ({ streamId, version, created: !known.streams.has(streamId) }));
  return { fresh, slots, streams };
}

export function isRejection(plan: Plan | PushRejection): plan is PushRejection {
  return 'kind' in plan;
}

/** The answer's positions, once the new events have theirs (`first` is the first new position). */
export function positionsOf(slots: Slot[], first: number): number[] {
  return slots.map((slot) => ('position' in slot ? slot.position : first + slot.fresh));
}
