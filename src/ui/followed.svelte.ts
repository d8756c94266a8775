// cart-follow.ts as rune-backed values for the page. The input is read in an effect and handed in,
// so following restarts when it changes (another cart on show, a sandbox's store); call these
// while a component initialises: following ends with the component.
import { untrack } from 'svelte';
import type { Carts } from '../cart/carts.ts';
import type { CartListEntry, CartView } from '../cart/projections.ts';
import { followCartList, followCartView, type Followed } from './cart-follow.ts';
import type { RowFollow } from './row-follow.ts';
import { unopenedCart } from './session.ts';

export interface Shown<T> {
  /** The latest value; after the input changes, the old one until the new one arrives. */
  readonly current: T | undefined;
  /** Why the last read failed (e.g. the database was closed), until one succeeds again. */
  readonly error: unknown;
}

function followed<Input, T>(input: () => Input | undefined, follow: (input: Input, to: Followed<T>) => RowFollow): Shown<T> {
  let current = $state.raw<T>();
  let error = $state.raw<unknown>();
  $effect(() => {
    const value = input();
    if (value === undefined) return;
    const following = untrack(() =>
      follow(value, {
        onChange: (next) => {
          current = next;
          error = undefined;
        },
        onError: (failure) => (error = failure),
      }),
    );
    // Shown again (another tab in front, or back from the back-forward cache): the messages
    // missed meanwhile are not waited for, the stored rows are read.
    const shown = (event: Event) => {
      if (document.visibilityState === 'visible' && (event.type !== 'pageshow' || (event as PageTransitionEvent).persisted)) following.refresh();
    };
    document.addEventListener('visibilitychange', shown);
    window.addEventListener('pageshow', shown);
    return () => {
      following.close();
      document.removeEventListener('visibilitychange', shown);
      window.removeEventListener('pageshow', shown);
    };
  });
  return {
    get current() {
      return current;
    },
    get error() {
      return error;
    },
  };
}

/** Every cart's list row, while the store is open. */
export const followedList = (carts: () => Carts | undefined): Shown<CartListEntry[]> => followed(carts, followCartList);

/** The cart on show; a cart with no row yet is the profile's default cart, opened by its first command. */
export const followedCart = (input: () => { carts: Carts; cartId: string } | undefined): Shown<CartView> =>
  followed(input, ({ carts, cartId }, to: Followed<CartView>) =>
    followCartView(carts, cartId, { ...to, onChange: (view) => to.onChange(view ?? unopenedCart(cartId)) }),
  );
