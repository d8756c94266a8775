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

/**
 * `seed`: what to show at once for this input, when the caller has it (read as the store opened);
 * `follow` is then told so, and reads the stored rows all the same.
 */
function followed<Input, T, Seed extends { value: T } = { value: T }>(
  input: () => Input | undefined,
  follow: (input: Input, to: Followed<T>, seeded: Seed | undefined) => RowFollow,
  seed?: (input: Input) => Seed | undefined,
): Shown<T> {
  let current = $state.raw<T>();
  let error = $state.raw<unknown>();
  // Before the DOM updates: a seeded value is in the very render that first shows this input.
  $effect.pre(() => {
    const value = input();
    if (value === undefined) return;
    const seeded = untrack(() => seed?.(value));
    if (seeded) {
      current = seeded.value;
      error = undefined;
    }
    let following: RowFollow | undefined;
    const start = () =>
      (following = untrack(() =>
        follow(
          value,
          {
            onChange: (next) => {
              current = next;
              error = undefined;
            },
            onError: (failure) => (error = failure),
          },
          seeded,
        ),
      ));
    // A seeded value was stored a moment ago: following it (the subscription, the read of the
    // stored rows) waits until the render that shows it is painted. What changes meanwhile, that
    // read sees.
    const cancel = seeded ? afterPaint(start) : void start();
    // Shown again (another tab in front, or back from the back-forward cache): the messages
    // missed meanwhile are not waited for, the stored rows are read.
    const shown = (event: Event) => {
      if (document.visibilityState === 'visible' && (event.type !== 'pageshow' || (event as PageTransitionEvent).persisted)) following?.refresh();
    };
    document.addEventListener('visibilitychange', shown);
    window.addEventListener('pageshow', shown);
    return () => {
      cancel?.();
      following?.close();
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

/** What the cart follow needs: the cart on show, and its view as the session opened, where it has it. */
export interface CartInput {
  carts: Carts;
  cartId: string;
  /** Session.takeOpeningView: taken once, when following this cart begins. */
  openingView?: (cartId: string) => { view: CartView | undefined } | undefined;
}

/** The cart on show; a cart with no row yet is the profile's default cart, opened by its first command. */
export const followedCart = (input: () => CartInput | undefined): Shown<CartView> =>
  followed<CartInput, CartView, { value: CartView; view: CartView | undefined }>(
    input,
    ({ carts, cartId }, to, seeded) =>
      followCartView(carts, cartId, { ...to, onChange: (view) => to.onChange(view ?? unopenedCart(cartId)) }, seeded && { view: seeded.view }),
    ({ cartId, openingView }) => {
      const opened = openingView?.(cartId);
      return opened && { value: opened.view ?? unopenedCart(cartId), view: opened.view };
    },
  );

/**
 * Calls `then` once the page has painted what it renders now (the frame after it), for work the
 * first render need not wait for. A hidden page paints no frames: then it runs a moment later.
 * Returns a cancel.
 */
export function afterPaint(then: () => void, hiddenMs = 100): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(fallback);
    clearTimeout(next);
    then();
  };
  let next: ReturnType<typeof setTimeout> | undefined;
  // rAF runs just before the frame is painted; a task queued from it runs after.
  const frame = requestAnimationFrame(() => (next = setTimeout(run)));
  const fallback = setTimeout(run, hiddenMs);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(fallback);
    clearTimeout(next);
  };
}
