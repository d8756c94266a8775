// The cart's read models. The view is the decider's fold plus what only the envelope knows
// (version, times): it keeps the cart's lines and evolves them with evolveCartAll, so the rules of
// how events change a cart are written once. The list entry is a summary of the view, made from
// it in the same transaction (a derived projection): it needs no lines of its own.
import type { EventEnvelope } from '../es/envelope.ts';
import { derivedFrom, type DerivedProjection, type FoldedProjection } from '../es/projection.ts';
import type { CartLine, CartState } from './decider.ts';
import { cartItemCount, cartTotal, evolveCartAll, initialCartState } from './decider.ts';
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

// Bulk paths ask this of every event, stream after stream, for each projection: the stream-id
// check (a regular expression) is remembered for the stream last seen.
let lastStreamId: string | undefined;
let lastIsCart = false;

function isCart(streamId: string): boolean {
  if (streamId !== lastStreamId) {
    lastIsCart = isCartStreamId(streamId);
    lastStreamId = streamId;
  }
  return lastIsCart;
}

function asCartEvent(event: EventEnvelope): CartEventEnvelope | undefined {
  return isCart(event.streamId) && isCartEventType(event.type) ? (event as CartEventEnvelope) : undefined;
}

const cartKeys = (event: EventEnvelope): readonly string[] => (asCartEvent(event) ? [event.streamId] : []);

/**
 * Folds a run of events into a cart row through the decider's evolve, then builds the row once
 * (`build` adds what the row shows): bulk paths hand in a whole batch, the command path one event.
 */
function cartRow<Row extends { name: string; status: OpenedStatus; lines: CartLine[] }>(
  build: (cart: CartState & { status: OpenedStatus }, events: readonly CartEventEnvelope[], previous: Row | undefined) => Row,
): Pick<FoldedProjection<Row>, 'evolve' | 'evolveAll' | 'keysOf' | 'byStream'> {
  const evolveAll = (row: Row | undefined, envelopes: readonly EventEnvelope[]): Row | undefined => {
    // Usually every event is the cart's: keep the caller's array then, rather than copy it.
    const events = (envelopes.every((e) => asCartEvent(e)) ? envelopes : envelopes.filter((e) => asCartEvent(e))) as readonly CartEventEnvelope[];
    if (events.length === 0) return row;
    const cart = evolveCartAll(row ? { status: row.status, name: row.name, lines: row.lines } : initialCartState(), events);
    // Only a stream that starts with CartOpened is a cart; anything else leaves no row.
    if (cart.status === 'none') return undefined;
    return build({ ...cart, status: cart.status }, events, row);
  };
  return { keysOf: cartKeys, byStream: true, evolveAll, evolve: (row, event) => evolveAll(row, [event]) };
}

export const cartViewProjection: FoldedProjection<CartView> = {
  name: 'cartView',
  version: 1,
  ...cartRow<CartView>((cart, events, previous) => {
    const last = events[events.length - 1]!;
    const lines = cart.lines.map((line) => ({ ...line, lineTotal: line.unitPrice * line.quantity }));
    const view: CartView = {
      cartId: last.streamId,
      name: cart.name,
      status: cart.status,
      lines,
      total: cartTotal(lines),
      itemCount: cartItemCount(lines),
      version: last.version,
      openedAt: previous?.openedAt ?? events[0]!.meta.at,
      updatedAt: last.meta.at,
    };
    // Optional fields stay absent rather than undefined, as everywhere in stored data.
    const checkout = events.findLast((event) => event.type === 'CartCheckedOut');
    if (checkout?.type === 'CartCheckedOut') {
      const { total, itemCount } = checkout.data;
      view.checkedOutAt = checkout.meta.at;
      view.order = { total, itemCount, at: checkout.meta.at };
    } else if (previous?.checkedOutAt !== undefined && previous.order) {
      view.checkedOutAt = previous.checkedOutAt;
      view.order = { ...previous.order };
    }
    return view;
  }),
};

/**
 * One row per cart, archived ones included (status 'archived'), for the cart switcher to filter:
 * what a list shows of the cart's view, so 1,000 of them read and write small.
 */
export const cartListProjection: DerivedProjection<CartListEntry, CartView> = derivedFrom(cartViewProjection, {
  name: 'cartList',
  // 2: made from the view, without the lines.
  version: 2,
  derive: (view) => view && { cartId: view.cartId, name: view.name, status: view.status, itemCount: view.itemCount, total: view.total, updatedAt: view.updatedAt },
});

/**
 * Keyed by SKU, so a row sees only the events naming its SKU: it can count new lines and the
 * units they started with, but not later quantity changes or checkouts, which need a cart's state.
 */
export const popularityProjection: FoldedProjection<ProductPopularity> = {
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
