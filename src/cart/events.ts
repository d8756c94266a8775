// The cart's events (CONTRACT §3) and the per-event rules every untrusted copy must pass: the
// importer checks a file with them, the sync server checks a push with them. Neither folds cart
// state, so these are the rules one event can be held to on its own — the rules that need the
// cart (50 lines, the catalog, the status) live in the decider.
import type { DomainEvent, EventEnvelope } from '../es/envelope.ts';
import { isUuidAt } from '../es/envelope.ts';

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
// the server report the rule. Checked by hand, not with a schema library: these run on every event
// of an import, a pull and a push (valibot's parse cost ~1 µs an event, a quarter of its checks).
const reasons = {
  name: `must be 1 to ${NAME_MAX_LENGTH} characters, without leading or trailing spaces`,
  sku: `must be a non-empty string of at most ${SKU_MAX_LENGTH} characters`,
  quantity: `must be an integer from ${QUANTITY_MIN} to ${QUANTITY_MAX}`,
  cents: 'must be an integer number of cents, 0 or more',
  count: 'must be an integer, 0 or more',
} as const;

interface FieldRule {
  check: (value: unknown) => boolean;
  reason: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isSku = (value: unknown) => typeof value === 'string' && value.length >= 1 && value.length <= SKU_MAX_LENGTH;
const isWholeNumber = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

const field = {
  name: { check: isCartName, reason: reasons.name },
  sku: { check: isSku, reason: reasons.sku },
  quantity: { check: isQuantity, reason: reasons.quantity },
  cents: { check: isWholeNumber, reason: reasons.cents },
  count: { check: isWholeNumber, reason: reasons.count },
} satisfies Record<string, FieldRule>;

/** The data each type carries at its current schemaVersion. */
interface CartEventData {
  CartOpened: { name: string };
  CartRenamed: { name: string };
  ItemAdded: { sku: string; name: string; unitPrice: number; quantity: number };
  ItemQuantityChanged: { sku: string; quantity: number };
  ItemRemoved: { sku: string };
  CartCleared: Record<never, never>;
  CartCheckedOut: { total: number; itemCount: number };
  CartArchived: Record<never, never>;
}

/** Exactly these keys, each held to its rule: an unknown key is refused rather than dropped. */
const dataFields: { readonly [Type in keyof CartEventData]: { readonly [Key in keyof CartEventData[Type]]: FieldRule } } = {
  CartOpened: { name: field.name },
  CartRenamed: { name: field.name },
  ItemAdded: { sku: field.sku, name: field.name, unitPrice: field.cents, quantity: field.quantity },
  ItemQuantityChanged: { sku: field.sku, quantity: field.quantity },
  ItemRemoved: { sku: field.sku },
  CartCleared: {},
  CartCheckedOut: { total: field.cents, itemCount: field.count },
  CartArchived: {},
};

export type CartEventType = keyof CartEventData;
type EventOf<Type extends CartEventType> = DomainEvent<Type, CartEventData[Type]>;

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

export const CART_EVENT_TYPES = Object.freeze(Object.keys(dataFields) as CartEventType[]);

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
  return typeof type === 'string' && Object.hasOwn(dataFields, type);
}

/** A cart's id is its stream id: `cart-` and a canonical lowercase UUID. */
export function isCartStreamId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 41 && id.startsWith('cart-') && isUuidAt(id, 5);
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
  if (!isRecord(data)) return { ok: false, field: 'data', reason: 'must be an object' };
  const fields: Readonly<Record<string, FieldRule>> = dataFields[type];
  // Declared keys first, in order, then the first key not declared (own or inherited, as `in` sees).
  for (const key in fields) {
    if (!(key in data)) return { ok: false, field: `data.${key}`, reason: 'is required' };
    const rule = fields[key]!;
    if (!rule.check(data[key])) return { ok: false, field: `data.${key}`, reason: rule.reason };
  }
  for (const key in data) if (!Object.hasOwn(fields, key)) return { ok: false, field: `data.${key}`, reason: 'is not allowed' };
  return { ok: true };
}
