// The sync wire format of CONTRACT §5, shared by the server and the client: the bodies each side
// sends, the limits both must respect, and the checks a request passes before anything is stored.
// Domain rules come in as a parameter so this module stays free of any one domain (sync → es).
import { isUuid, type EventEnvelope } from '../es/envelope.ts';
import type { Invalid } from '../es/validate.ts';

export const MAX_BODY_BYTES = 1_048_576;
export const MAX_PUSH_EVENTS = 1000;
export const DEVICE_ID_MAX_LENGTH = 100;
export const PULL_DEFAULTS = Object.freeze({ after: 0, limit: 100, wait: 0 });
export const PULL_LIMIT_MAX = 1000;
export const PULL_WAIT_MAX_SECONDS = 30;
/** A `log` id: drawn by the server, opaque to clients (compared for equality only). */
export const LOG_ID_MAX_LENGTH = 100;

/** An event as pushed: positions are the server's to give. */
export type PushedEvent = Omit<EventEnvelope, 'position'>;
/** An event as pulled: confirmed, so it has its position. */
export type ConfirmedEvent = EventEnvelope & { position: number };

export interface PushRequest {
  deviceId: string;
  events: PushedEvent[];
}

export interface PushResponse {
  /** One entry per pushed event, in order, duplicates included. */
  events: { id: string; position: number }[];
  /** The highest position of the caller's events, 0 when none. */
  head: number;
  /** Which log of this user on this server the positions belong to (CONTRACT §5 "Log identity"). */
  log: string;
}

export interface PullQuery {
  after: number;
  limit: number;
  /** Seconds to hold the request while nothing is new. */
  wait: number;
  /**
   * The id of the event the caller holds at position `after`: when this log has another event (or
   * none) there, the answer is `409 cursor_mismatch` — the caller's copy and this log have parted.
   */
  check?: string;
}

export interface PullResponse {
  events: ConfirmedEvent[];
  head: number;
  more: boolean;
  log: string;
}

/** `409 cursor_mismatch`: the `check` event is not at `after` in this log. */
export interface CursorMismatchBody extends ErrorBody {
  error: 'cursor_mismatch';
  log: string;
  head: number;
}

export type ErrorCode =
  | 'unauthorized'
  | 'too_large'
  | 'rate_limited'
  | 'invalid_request'
  | 'forbidden'
  | 'id_conflict'
  | 'version_conflict'
  | 'cursor_mismatch'
  | 'quota_exceeded'
  | 'timeout'
  | 'headers_too_large'
  | 'uri_too_long'
  | 'bad_request'
  | 'not_found'
  | 'unavailable'
  | 'internal';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

export function errorBody(error: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error, message, ...details };
}

/** Checks one pushed event; the first problem wins, named by its field path. */
export type EventCheck = (event: unknown) => Invalid | null;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/**
 * Validates a parsed push body. A problem with one event is reported with its `index` in the
 * batch and its `field`, so a client can point at the event it must fix or drop.
 */
export function parsePushBody(body: unknown, checkEvent: EventCheck): Parsed<PushRequest> {
  if (!isObject(body)) return invalid('body', 'must be a JSON object');
  for (const key of Object.keys(body))
    if (key !== 'deviceId' && key !== 'events') return invalid(key, 'is not a push field');
  const { deviceId, events } = body;
  if (typeof deviceId !== 'string' || deviceId.length < 1 || deviceId.length > DEVICE_ID_MAX_LENGTH)
    return invalid('deviceId', `must be a string of 1 to ${DEVICE_ID_MAX_LENGTH} characters`);
  if (!Array.isArray(events)) return invalid('events', 'must be an array');
  if (events.length > MAX_PUSH_EVENTS) return { ok: false, error: tooManyEvents(events.length) };
  for (const [index, event] of events.entries()) {
    const problem = checkEvent(event);
    if (problem) return invalid(problem.field, problem.reason, index);
  }
  return { ok: true, value: { deviceId, events: events as PushedEvent[] } };
}

export function tooManyEvents(count: number): ErrorBody {
  return errorBody('too_large', `A push carries at most ${MAX_PUSH_EVENTS} events; this one has ${count}.`);
}

/** Envelope rules for a pushed event: what §2 allows, minus `position`, which only the server gives. */
export function withoutPosition(check: EventCheck): EventCheck {
  return (event) => {
    if (isObject(event) && 'position' in event) return { field: 'position', reason: 'is assigned by the server; a pushed event must not carry one' };
    return check(event);
  };
}

const WHOLE_NUMBER = /^\d{1,16}$/;

/**
 * Parses `after`, `limit` and `wait` (anything but a whole number in range is refused, not clamped)
 * and `check`.
 */
export function parsePullQuery(params: URLSearchParams): Parsed<PullQuery> {
  type Numeric = 'after' | 'limit' | 'wait';
  const ranges: Record<Numeric, [number, number]> = {
    after: [0, Number.MAX_SAFE_INTEGER],
    limit: [1, PULL_LIMIT_MAX],
    wait: [0, PULL_WAIT_MAX_SECONDS],
  };
  const query: PullQuery = { ...PULL_DEFAULTS };
  for (const key of Object.keys(ranges) as Numeric[]) {
    const raw = params.get(key);
    if (raw === null) continue;
    const [min, max] = ranges[key];
    const value = Number(raw);
    if (!WHOLE_NUMBER.test(raw) || value < min || value > max)
      return invalid(key, max === Number.MAX_SAFE_INTEGER ? `must be a whole number, ${min} or more` : `must be a whole number from ${min} to ${max}`);
    query[key] = value;
  }
  const check = params.get('check');
  if (check !== null) {
    // Event ids are canonical lowercase UUIDs (§2); anything else can match nothing, so say so.
    if (!isUuid(check)) return invalid('check', 'must be an event id (a lowercase UUID)');
    if (query.after < 1) return invalid('check', 'needs after to be 1 or more: it names the event held at position after');
    query.check = check;
  }
  return { ok: true, value: query };
}

/** The pull URL's query for these parameters, `check` only when given. */
export function pullQueryString({ after, limit, wait, check }: PullQuery): string {
  const params = new URLSearchParams({ after: String(after), limit: String(limit), wait: String(wait) });
  if (check !== undefined) params.set('check', check);
  return params.toString();
}

function invalid(field: string, reason: string, index?: number): Parsed<never> {
  const where = index === undefined ? field : `events[${index}].${field}`;
  const details = index === undefined ? { field } : { index, field };
  return { ok: false, error: errorBody('invalid_request', `${where} ${reason}.`, details) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
