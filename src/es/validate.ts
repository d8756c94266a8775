// Envelope checks of CONTRACT §2, written by hand rather than with a schema library because they
// run on every event of a bulk import or pull (100 k events) and must name the failing field.
import { isStreamId, isUuid, type EventEnvelope } from './envelope.ts';
import { isIsoTime } from './iso-time.ts';

export interface Invalid {
  field: string;
  reason: string;
}

/** Checks a domain's event payload; the store knows nothing of carts. */
export type DataValidator = (type: string, schemaVersion: number, data: unknown) => Invalid | null;

const ENVELOPE_KEYS = new Set(['id', 'streamId', 'version', 'type', 'schemaVersion', 'data', 'meta', 'position']);
const META_KEYS = new Set(['at', 'deviceId', 'commandId', 'correlationId', 'causationId']);

/**
 * A check that remembers the last string it accepted. The events of a bulk come stream by stream
 * from few devices, so stream and device ids repeat event after event: a repeat then costs one
 * string comparison instead of a look at each of its characters.
 */
function rememberingLast(check: (value: unknown) => value is string): (value: unknown) => value is string {
  let last: string | undefined;
  return (value): value is string => {
    if (value === last) return true;
    if (!check(value)) return false;
    last = value;
    return true;
  };
}

const isKnownStreamId = rememberingLast(isStreamId);
const isKnownDeviceId = rememberingLast(isUuid);

export function checkEnvelope(event: unknown, validateData?: DataValidator): Invalid | null {
  if (!isObject(event)) return { field: 'event', reason: 'must be a JSON object' };
  for (const key of Object.keys(event)) if (!ENVELOPE_KEYS.has(key)) return { field: key, reason: 'is not an envelope field' };
  const e = event as Partial<EventEnvelope>;
  if (!isUuid(e.id)) return { field: 'id', reason: 'must be a lowercase UUID' };
  if (!isKnownStreamId(e.streamId)) return { field: 'streamId', reason: 'must be 1..200 characters of A-Z a-z 0-9 : _ -' };
  if (!isPositiveInteger(e.version)) return { field: 'version', reason: 'must be an integer ≥ 1' };
  if (typeof e.type !== 'string' || e.type.length === 0 || e.type.length > 100)
    return { field: 'type', reason: 'must be a non-empty string' };
  if (!isPositiveInteger(e.schemaVersion)) return { field: 'schemaVersion', reason: 'must be an integer ≥ 1' };
  if (!('data' in e) || !isObject(e.data)) return { field: 'data', reason: 'must be a JSON object' };
  if ('position' in e && !isPositiveInteger(e.position)) return { field: 'position', reason: 'must be an integer ≥ 1 when present' };
  const metaProblem = checkMeta(e.meta);
  if (metaProblem) return metaProblem;
  return validateData ? validateData(e.type, e.schemaVersion, e.data) : null;
}

function checkMeta(meta: unknown): Invalid | null {
  if (!isObject(meta)) return { field: 'meta', reason: 'must be a JSON object' };
  for (const key of Object.keys(meta)) if (!META_KEYS.has(key)) return { field: `meta.${key}`, reason: 'is not a meta field' };
  if (!isIsoTime(meta.at)) return { field: 'meta.at', reason: 'must be an ISO 8601 time' };
  if (!isKnownDeviceId(meta.deviceId)) return { field: 'meta.deviceId', reason: 'must be a lowercase UUID' };
  if (!isUuid(meta.commandId)) return { field: 'meta.commandId', reason: 'must be a lowercase UUID' };
  for (const key of ['correlationId', 'causationId'] as const)
    if (key in meta && !isUuid(meta[key])) return { field: `meta.${key}`, reason: 'must be a lowercase UUID when present' };
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
