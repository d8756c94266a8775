// The cart's events (CONTRACT §3) and the per-event rules every untrusted copy must pass: the
// importer checks a file with them, the sync server checks a push with them. Neither folds cart
// state, so these are the rules one event can be held to on its own — the rules that need the
// cart (50 lines, the catalog, the status) live in the decider.
import * as v from 'valibot';
import type { DomainEvent, EventEnvelope } from '../es/envelope.ts';
import { UUID } from '../es/envelope.ts';

export const NAME_MAX_LENGTH = 80;
export const QUANTITY_MIN = 1;
export const QUANTITY_MAX = 99;
export const SKU_MAX_LENGTH = 64;

/** Length in code points, so an emoji counts as one character as a person would count it. */
export function nameLength(name: string): number {
  return [...name].length;
}

/** A stored name is already trimmed: the decider trims before it emits. */
export function isCartName(name: unknown): name is string {
  if (typeof name !== 'string' || name !== name.trim()) return false;
  const length = nameLength(name);
  return length >= 1 && length <= NAME_MAX_LENGTH;
}

export function isQuantity(quantity: unknown): quantity is number {
  return Number.isInteger(quantity) && (quantity as number) >= QUANTITY_MIN && (quantity as number) <= QUANTITY_MAX;
}

// One reason per field whatever went wrong with it (type, range, fraction), so the importer and
// the server report the rule rather than valibot's internals.
const reasons = {
  name: `must be 1 to ${NAME_MAX_LENGTH} characters, without leading or trailing spaces`,
  sku: `must be a non-empty string of at most ${SKU_MAX_LENGTH} characters`,
  quantity: `must be an integer from ${QUANTITY_MIN} to ${QUANTITY_MAX}`,
  cents: 'must be an integer number of cents, 0 or more',
  count: 'must be an integer, 0 or more',
} as const;

const name = v.pipe(v.string(reasons.name), v.check((input: string) => isCartName(input), reasons.name));
const sku = v.pipe(v.string(reasons.sku), v.minLength(1, reasons.sku), v.maxLength(SKU_MAX_LENGTH, reasons.sku));
const quantity = v.pipe(v.number(reasons.quantity), v.check((input: number) => isQuantity(input), reasons.quantity));
const wholeNumber = (reason: string) => v.pipe(v.number(reason), v.safeInteger(reason), v.minValue(0, reason));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Exact keys: an unknown key is refused rather than dropped, so what is stored is what was checked. */
function eventData<const Entries extends v.ObjectEntries>(entries: Entries) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isRecord, 'must be an object'),
    v.strictObject(entries, (issue) =>
      issue.expected === 'never' ? 'is not allowed' : issue.received === 'undefined' ? 'is required' : 'must be an object',
    ),
  );
}

/** Data schemas of the current schemaVersion of each type. */
export const cartEventDataSchemas = {
  CartOpened: eventData({ name }),
  CartRenamed: eventData({ name }),
  ItemAdded: eventData({ sku, name, unitPrice: wholeNumber(reasons.cents), quantity }),
  ItemQuantityChanged: eventData({ sku, quantity }),
  ItemRemoved: eventData({ sku }),
  CartCleared: eventData({}),
  CartCheckedOut: eventData({ total: wholeNumber(reasons.cents), itemCount: wholeNumber(reasons.count) }),
  CartArchived: eventData({}),
};

type Schemas = typeof cartEventDataSchemas;
export type CartEventType = keyof Schemas;
type EventOf<Type extends CartEventType> = DomainEvent<Type, v.InferOutput<Schemas[Type]>>;

export type CartOpened = EventOf<'CartOpened'>;
export type CartRenamed = EventOf<'CartRenamed'>;
export type ItemAdded = EventOf<'ItemAdded'>;
export type ItemQuantityChanged = EventOf<'ItemQuantityChanged'>;
export type ItemRemoved = EventOf<'ItemRemoved'>;
export type CartCleared = EventOf<'CartCleared'>;
export type CartCheckedOut = EventOf<'CartCheckedOut'>;
export type CartArchived = EventOf<'CartArchived'>;
export type CartEvent = { [Type in CartEventType]: EventOf<Type> }[CartEventType];
/** A stored cart event: narrowing on `type` narrows `data` too. */
export type CartEventEnvelope = { [Type in CartEventType]: EventEnvelope<Type, EventOf<Type>['data']> }[CartEventType];

export const CART_EVENT_TYPES = Object.freeze(Object.keys(cartEventDataSchemas) as CartEventType[]);

/**
 * Bump a type's version when its data changes shape; add an upcaster from the old version and
 * keep accepting it here, because stored and exported events are never rewritten.
 */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<CartEventType, number>> = Object.freeze({
  CartOpened: 1,
  CartRenamed: 1,
  ItemAdded: 1,
  ItemQuantityChanged: 1,
  ItemRemoved: 1,
  CartCleared: 1,
  CartCheckedOut: 1,
  CartArchived: 1,
});

export function isCartEventType(type: unknown): type is CartEventType {
  return typeof type === 'string' && Object.hasOwn(cartEventDataSchemas, type);
}

const CART_STREAM_ID = new RegExp(`^cart-${UUID.source.slice(1)}`);

/** A cart's id is its stream id: `cart-` and a canonical lowercase UUID. */
export function isCartStreamId(id: unknown): id is string {
  return typeof id === 'string' && CART_STREAM_ID.test(id);
}

export type CartEventValidation = { ok: true } | { ok: false; field: string; reason: string };

/** Checks one event's type, schemaVersion and data; the first problem wins, named by its field path. */
export function validateCartEvent(type: unknown, schemaVersion: unknown, data: unknown): CartEventValidation {
  if (!isCartEventType(type)) {
    return { ok: false, field: 'type', reason: `must be one of ${CART_EVENT_TYPES.join(', ')}` };
  }
  const version = CURRENT_SCHEMA_VERSION[type];
  if (schemaVersion !== version) {
    return { ok: false, field: 'schemaVersion', reason: `must be ${version} for ${type}` };
  }
  const result = v.safeParse(cartEventDataSchemas[type], data, { abortEarly: true });
  if (result.success) return { ok: true };
  const [issue] = result.issues;
  const path = issue.path?.map((item) => String(item.key)) ?? [];
  return { ok: false, field: ['data', ...path].join('.'), reason: issue.message };
}
