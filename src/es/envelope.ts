// The event envelope of CONTRACT §2: the same shape in the local store, on the wire and in export files.

export interface EventMeta {
  at: string;
  deviceId: string;
  commandId: string;
  correlationId?: string;
  causationId?: string;
}

export interface EventEnvelope<Type extends string = string, Data = unknown> {
  id: string;
  streamId: string;
  version: number;
  type: Type;
  schemaVersion: number;
  data: Data;
  meta: EventMeta;
  /** Assigned by the sync server. Absent while the event is pending. */
  position?: number;
}

/** What a caller appends: the store assigns `version` (and never `position`). */
export type NewEvent<Type extends string = string, Data = unknown> = Omit<
  EventEnvelope<Type, Data>,
  'version' | 'position' | 'streamId'
>;

/** A domain event before it has an envelope: what a decider returns and folds. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export const STREAM_ID = /^[A-Za-z0-9:_-]{1,200}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isPending(event: EventEnvelope): boolean {
  return event.position === undefined;
}
