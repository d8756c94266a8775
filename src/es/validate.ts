// Envelope checks of CONTRACT §2, written by hand rather than with a schema library because they
// run on every event of a bulk import or pull (100 k events) and must name the failing field.
import { STREAM_ID, UUID, type EventEnvelope } from './envelope.ts';

export interface Invalid {
  field: string;
  reason: string;
}

/** Checks a domain's event payload; the store knows nothing of carts. */
export type DataValidator = (type: string, schemaVersion: number, data: unknown) => Invalid | null;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ENVELOPE_KEYS = new Set(['id', 'streamId', 'version', 'type', 'schemaVersion', 'data', 'meta', 'position']);
const META_KEYS = new Set(['at', 'deviceId', 'commandId', 'correlationId', 'causationId']);

export function checkEnvelope(event: unknown, validateData?: DataValidator): Invalid | null {
  if (!isObject(event)) return { field: 'event', reason: 'must be a JSON object' };
  for (const key of Object.keys(event)) if (!ENVELOPE_KEYS.has(key)) return { field: key, reason: 'is not an envelope field' };
  const e = event as Partial<EventEnvelope>;
  if (typeof e.id !== 'string' || !UUID.test(e.id)) return { field: 'id', reason: 'must be a lowercase UUID' };
  if (typeof e.streamId !== 'string' || !STREAM_ID.test(e.streamId))
    return { field: 'streamId', reason: 'must be 1..200 characters of A-Z a-z 0-9 : _ -' };
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
  if (typeof meta.at !== 'string' || !ISO_TIME.test(meta.at) || Number.isNaN(Date.parse(meta.at)))
    return { field: 'meta.at', reason: 'must be an ISO 8601 time' };
  for (const key of ['deviceId', 'commandId'] as const)
    if (typeof meta[key] !== 'string' || !UUID.test(meta[key] as string)) return { field: `meta.${key}`, reason: 'must be a lowercase UUID' };
  for (const key of ['correlationId', 'causationId'] as const)
    if (key in meta && (typeof meta[key] !== 'string' || !UUID.test(meta[key] as string)))
      return { field: `meta.${key}`, reason: 'must be a lowercase UUID when present' };
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
