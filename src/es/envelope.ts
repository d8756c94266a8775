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

// The id checks below run several times on every event of an import, a pull and a push, so they
// look characters up in a table: measured in V8, the equivalent regexes cost twice as much, and
// they were a third of an event's checks.

/** 1 for each ASCII character in `chars`. */
function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

const HEX = asciiTable('0123456789abcdef');
const STREAM_ID_CHARS = asciiTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_-');
const DASH = 45;

/** 1 when every character of text[from, to) is in `table`, else 0. */
function allIn(table: Uint8Array, text: string, from: number, to: number): number {
  let ok = 1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    ok &= c < 128 ? table[c]! : 0;
  }
  return ok;
}

/** A stream id: 1..200 characters of A-Z a-z 0-9 : _ - */
export function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 200 && allIn(STREAM_ID_CHARS, value, 0, value.length) === 1;
}

/** A canonical lowercase UUID: 8-4-4-4-12 hex digits. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && isUuidAt(value, 0);
}

/** Whether the 36 characters of `text` from `start` are a canonical lowercase UUID. */
export function isUuidAt(text: string, start: number): boolean {
  const at = (offset: number) => text.charCodeAt(start + offset);
  if (at(8) !== DASH || at(13) !== DASH || at(18) !== DASH || at(23) !== DASH) return false;
  const hex = (from: number, to: number) => allIn(HEX, text, start + from, start + to);
  return (hex(0, 8) & hex(9, 13) & hex(14, 18) & hex(19, 23) & hex(24, 36)) === 1;
}
