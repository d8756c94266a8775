// The device's carts as the switcher offers them, and the name a new cart gets.
import type { CartListEntry } from '../cart/projections.ts';

export const DEFAULT_CART_NAME = 'My cart';

export interface CartChoice {
  cartId: string;
  label: string;
}

const items = (count: number) => `${count} ${count === 1 ? 'item' : 'items'}`;

// An entry that did not change is the same object in the next list (cart-follow.ts), so its
// choice is too, and the switcher's keyed options leave it alone.
const made = new WeakMap<CartListEntry, CartChoice>();
function choiceOf(cart: CartListEntry): CartChoice {
  let choice = made.get(cart);
  if (!choice) {
    // Two carts may share a name: what is in them tells them apart.
    const what = cart.status === 'checked-out' ? `checked out, ${items(cart.itemCount)}` : items(cart.itemCount);
    choice = { cartId: cart.cartId, label: `${cart.name} — ${what}` };
    made.set(cart, choice);
  }
  return choice;
}

/**
 * Carts that are not archived, oldest first. Cart ids are `cart-<uuidv7>`, and a v7 id starts
 * with its creation time, so sorting by id keeps each cart in its place while it changes —
 * sorting by last change would move the options under the shopper's hand.
 */
export function cartChoices(list: readonly CartListEntry[]): CartChoice[] {
  return list
    .filter((cart) => cart.status !== 'archived')
    .sort((a, b) => (a.cartId < b.cartId ? -1 : a.cartId > b.cartId ? 1 : 0))
    .map(choiceOf);
}

/** "My cart", or "My cart 2", "My cart 3"… while that name is taken by a cart still on show. */
export function nextCartName(list: readonly CartListEntry[]): string {
  const taken = new Set(list.filter((cart) => cart.status !== 'archived').map((cart) => cart.name));
  if (!taken.has(DEFAULT_CART_NAME)) return DEFAULT_CART_NAME;
  let n = 2;
  while (taken.has(`${DEFAULT_CART_NAME} ${n}`)) n += 1;
  return `${DEFAULT_CART_NAME} ${n}`;
}
