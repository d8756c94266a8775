// Which cart view the page shows: the one a command of this page just wrote (at once, from the
// command's own transaction) or the live query's read-back, whichever is newer for the current
// cart. The live query still brings changes from other tabs and sync, and replaces the written
// view as soon as it has caught up.
import type { CartView } from '../cart/projections.ts';

export function shownCart(live: CartView | undefined, written: CartView | undefined, cartId: string | undefined): CartView | undefined {
  if (!written || written.cartId !== cartId) return live;
  if (!live || live.cartId !== cartId) return written;
  return written.version > live.version ? written : live;
}
