// The cart's read models. The view and the list are both the decider's fold plus what only the
// envelope knows (version, times), so each row keeps the cart's lines and evolves them with
// evolveCart: the rules of how events change a cart are written once.
import type { EventEnvelope } from '../es/envelope.ts';
import type { Projection } from '../es/projection.ts';
import type { CartLine, CartState } from './decider.ts';
import { cartItemCount, cartTotal, evolveCart, initialCartState } from './decider.ts';
import type { CartEventEnvelope } from './events.ts';
import { isCartEventType, isCartStreamId } from './events.ts';

type OpenedStatus = Exclude<CartState['status'], 'none'>;

export interface CartViewLine extends CartLine {
  lineTotal: number;
}

export interface CartView {
  cartId: string;
  name: string;
  status: OpenedStatus;
  lines: CartViewLine[];
  total: number;
  itemCount: number;
  /** The stream version of the last event folded in. */
  version: number;
  openedAt: string;
  updatedAt: string;
  checkedOutAt?: string;
  /** What was ordered, as the CartCheckedOut event recorded it. */
  order?: { total: number; itemCount: number; at: string };
}

export interface CartListEntry {
  cartId: string;
  name: string;
  status: OpenedStatus;
  itemCount: number;
  total: number;
  updatedAt: string;
  /** Not for display: a row sees only its own cart's events, so it keeps the lines to re-total them. */
  lines: CartLine[];
}

export interface ProductPopularity {
  sku: string;
  /** The name the product had when it was last added. */
  name: string;
  /** How many times a cart started a line of it. */
  adds: number;
  /** Units those ItemAdded events carried (later quantity changes are not counted). */
  unitsAdded: number;
  lastAddedAt: string;
}

function asCartEvent(event: EventEnvelope): CartEventEnvelope | undefined {
  return isCartStreamId(event.streamId) && isCartEventType(event.type) ? (event as CartEventEnvelope) : undefined;
}

const cartKeys = (event: EventEnvelope): readonly string[] => (asCartEvent(event) ? [event.streamId] : []);

/** Folds one event into a cart row through the decider's evolve; `build` adds what the row shows. */
function evolveCartRow<Row extends { name: string; status: OpenedStatus; lines: CartLine[] }>(
  build: (cart: CartState & { status: OpenedStatus }, event: CartEventEnvelope, previous: Row | undefined) => Row,
) {
  return (row: Row | undefined, envelope: EventEnvelope): Row | undefined => {
    const event = asCartEvent(envelope);
    if (!event) return row;
    const before: CartState = row ? { status: row.status, name: row.name, lines: row.lines } : initialCartState();
    const cart = evolveCart(before, event);
    // Only a stream that starts with CartOpened is a cart; anything else leaves no row.
    if (cart.status === 'none') return undefined;
    return build({ ...cart, status: cart.status }, event, row);
  };
}

export const cartViewProjection: Projection<CartView> = {
  name: 'cartView',
  version: 1,
  keysOf: cartKeys,
  evolve: evolveCartRow<CartView>((cart, event, previous) => {
    const lines = cart.lines.map((line) => ({ ...line, lineTotal: line.unitPrice * line.quantity }));
    const view: CartView = {
      cartId: event.streamId,
      name: cart.name,
      status: cart.status,
      lines,
      total: cartTotal(lines),
      itemCount: cartItemCount(lines),
      version: event.version,
      openedAt: previous?.openedAt ?? event.meta.at,
      updatedAt: event.meta.at,
    };
    // Optional fields stay absent rather than undefined, as everywhere in stored data.
    if (event.type === 'CartCheckedOut') {
      const { total, itemCount } = event.data;
      view.checkedOutAt = event.meta.at;
      view.order = { total, itemCount, at: event.meta.at };
    } else if (previous?.checkedOutAt !== undefined && previous.order) {
      view.checkedOutAt = previous.checkedOutAt;
      view.order = { ...previous.order };
    }
    return view;
  }),
};

/** One row per cart, archived ones included (status 'archived'), for the cart switcher to filter. */
export const cartListProjection: Projection<CartListEntry> = {
  name: 'cartList',
  version: 1,
  keysOf: cartKeys,
  evolve: evolveCartRow<CartListEntry>((cart, event) => ({
    cartId: event.streamId,
    name: cart.name,
    status: cart.status,
    itemCount: cartItemCount(cart.lines),
    total: cartTotal(cart.lines),
    updatedAt: event.meta.at,
    lines: cart.lines,
  })),
};

/**
 * Keyed by SKU, so a row sees only the events naming its SKU: it can count new lines and the
 * units they started with, but not later quantity changes or checkouts, which need a cart's state.
 */
export const popularityProjection: Projection<ProductPopularity> = {
  name: 'popularity',
  version: 1,
  keysOf: (event) => {
    const cartEvent = asCartEvent(event);
    return cartEvent?.type === 'ItemAdded' ? [cartEvent.data.sku] : [];
  },
  evolve: (row, envelope) => {
    const event = asCartEvent(envelope);
    if (event?.type !== 'ItemAdded') return row;
    const { sku, name, quantity } = event.data;
    return {
      sku,
      name,
      adds: (row?.adds ?? 0) + 1,
      unitsAdded: (row?.unitsAdded ?? 0) + quantity,
      lastAddedAt: event.meta.at,
    };
  },
};

export const cartProjections = [cartViewProjection, cartListProjection, popularityProjection] as const;
