// The page's two views of the store, followed without live queries (row-follow.ts): the
// device's cart list (one small row per cart, in cart-id order) and the cart on show.
import type { Carts } from '../cart/carts.ts';
import { cartListProjection, cartViewProjection, type CartListEntry, type CartView } from '../cart/projections.ts';
import { followRows, type RowFollow } from './row-follow.ts';

export interface Followed<T> {
  onChange: (value: T) => void;
  onError?: (error: unknown) => void;
}

/**
 * Every cart's list row, archived ones included, by cart id. An entry that did not change stays
 * the same object from one list to the next.
 */
export function followCartList(carts: Carts, { onChange, onError }: Followed<CartListEntry[]>): RowFollow {
  return followRows<CartListEntry>(
    {
      read: (cartIds) => carts.listed(cartIds),
      streamOf: (entry) => entry.cartId,
      projection: cartListProjection.name,
      subscribe: carts.store.subscribe,
      commands: carts.commands,
    },
    {
      streams: { all: () => carts.list() },
      // Map order is arrival order; ids sort as the store keeps them.
      onRows: (rows) => onChange([...rows.values()].sort((a, b) => (a.cartId < b.cartId ? -1 : a.cartId > b.cartId ? 1 : 0))),
      ...(onError ? { onError } : {}),
    },
  );
}

/**
 * One cart's view; undefined while it has none (the unopened default cart, or a cart gone).
 * `shown`: the view the caller shows already (read as the store opened); the stored row is read
 * all the same, and handed on only when it differs.
 */
export function followCartView(
  carts: Carts,
  cartId: string,
  { onChange, onError }: Followed<CartView | undefined>,
  shown?: { view: CartView | undefined },
): RowFollow {
  return followRows<CartView>(
    {
      read: (ids) => Promise.all(ids.map((id) => carts.view(id))),
      streamOf: (view) => view.cartId,
      projection: cartViewProjection.name,
      subscribe: carts.store.subscribe,
      commands: carts.commands,
    },
    {
      streams: [cartId],
      onRows: (rows) => onChange(rows.get(cartId)),
      ...(onError ? { onError } : {}),
      ...(shown ? { known: new Map(shown.view ? [[cartId, shown.view]] : []) } : {}),
    },
  );
}
