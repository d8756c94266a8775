// The page's session, free of Svelte and the DOM so it runs in Node: which cart is current (kept
// in storage across reloads), and running the shopper's commands against it. Whatever a refusal
// says lands in state.error until the next accepted command. The caller hands in `state`, so a
// Svelte wrapper can pass a $state proxy and a test a plain object.
// Not the cart barrel: it holds the importer, which only the lazily loaded history panel needs.
import { openCarts, type Carts } from '../cart/carts.ts';
import type { CartCommand } from '../cart/commands.ts';
import type { CartState } from '../cart/decider.ts';
import { cartViewProjection, type CartView } from '../cart/projections.ts';
import type { CommandResult } from '../es/command.ts';
import { DatabaseUpgradedError, DomainError, StorageFullError } from '../es/errors.ts';
import { DEFAULT_CART_NAME, nextCartName } from './cart-choices.ts';
import type { KeyValueStorage } from './device.ts';

export { DEFAULT_CART_NAME };
export const CURRENT_CART_KEY = 'cartlog:current-cart';

export interface SessionState {
  /** Set once the session is open; every command goes to this cart. */
  cartId: string;
  /** The reason the last command was refused; '' once a command succeeds. */
  error: string;
  /**
   * Set for good once another tab upgraded the database: this tab's connection is closed and
   * nothing works until it reloads, so this is not a refusal that the next command clears.
   */
  upgraded: string;
  /**
   * The current cart's view as this page's last command wrote it, shown until the live query has
   * read it back (see shown-cart.ts): the DOM follows a click without that extra read.
   */
  written?: CartView | undefined;
}

export interface SessionOptions {
  storage: KeyValueStorage;
  deviceId: string;
  /** The IndexedDB database; tests use their own, a sandbox will too. */
  dbName?: string;
  state?: SessionState;
}

export interface Session {
  readonly carts: Carts;
  readonly state: SessionState;
  /** Runs one command against the current cart; true when it was accepted. */
  run: (command: CartCommand) => Promise<boolean>;
  /**
   * Moves a line's quantity by `delta` from what it is when the command runs, not when the button
   * was pressed: two quick presses of "+" make two more, although the view had not caught up.
   */
  adjust: (sku: string, delta: number) => Promise<boolean>;
  /** Takes back the current cart's last change (history/timeline.ts), as any command: refusals land in state.error. */
  undo: () => Promise<boolean>;
  /**
   * Runs a change that is more than one command from the page (a restore from the history panel)
   * in the page's queue, its refusal reported like a command's.
   */
  change: (work: () => Promise<unknown>) => Promise<boolean>;
  /** The shopper has read the refusal. */
  dismissError: () => void;
  /** Opens a new, empty cart and makes it current; without a name it gets the next free one. */
  newCart: (name?: string) => Promise<boolean>;
  /** Makes another of the device's carts current; refused when it is gone or archived. */
  switchTo: (cartId: string) => Promise<boolean>;
  /** Archives the current cart (its history stays) and moves to the latest open cart, or a new one. */
  archive: () => Promise<boolean>;
  /** Moves on when the current cart was archived elsewhere (another tab, a sync); else nothing. */
  leaveArchived: () => Promise<boolean>;
  close: () => void;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const { storage } = options;
  const carts = await openCarts({ deviceId: options.deviceId, ...(options.dbName ? { name: options.dbName } : {}) });
  const state = options.state ?? { cartId: '', error: '', upgraded: '' };
  const select = (cartId: string) => {
    state.cartId = cartId;
    storage.setItem(CURRENT_CART_KEY, cartId);
  };
  select(await currentCart(carts, storage.getItem(CURRENT_CART_KEY)));
  const stopUpgraded = carts.store.onUpgraded((error) => (state.upgraded = error.message));

  // One command at a time from this page: a command's input (the cart, a line's quantity) is
  // read when its turn comes, after everything clicked before it has been written. Switching
  // carts waits its turn too, so what was clicked before a switch lands in the cart it was meant for.
  let queue: Promise<unknown> = Promise.resolve();
  function attempt(work: () => Promise<unknown>): Promise<boolean> {
    const turn = queue.then(async () => {
      try {
        await work();
        state.error = '';
        return true;
      } catch (error) {
        if (error instanceof DatabaseUpgradedError) state.upgraded = error.message;
        else state.error = reasonOf(error);
        return false;
      }
    });
    queue = turn;
    return turn;
  }

  const moveOn = async () => select(await currentCart(carts, null));
  const show = (result: CommandResult<CartState>) => {
    const view = result.written(cartViewProjection.name) as CartView | undefined;
    if (view?.cartId === state.cartId) state.written = view;
  };

  return {
    carts,
    state,
    run: (command) => attempt(async () => show(await carts.execute(state.cartId, command))),
    adjust: (sku, delta) =>
      attempt(() =>
        // The quantity is read inside the command's transaction: a "+" pressed in another tab at
        // the same moment is counted, not overwritten. A line that is gone is left to the
        // decider, which says so in its own words.
        carts
          .execute(state.cartId, (cart) => ({
            type: 'ChangeQuantity',
            data: { sku, quantity: (cart.lines.find((l) => l.sku === sku)?.quantity ?? 0) + delta },
          }))
          .then(show),
      ),
    newCart: (name) => attempt(async () => select(await carts.openCart(name ?? nextCartName(await carts.list())))),
    switchTo: (cartId) =>
      attempt(async () => {
        const view = await carts.view(cartId);
        if (!view || view.status === 'archived') {
          throw new DomainError('cart_not_found', 'That cart is no longer on this device’s list. Pick another one.');
        }
        select(cartId);
      }),
    archive: () =>
      attempt(async () => {
        await carts.execute(state.cartId, { type: 'ArchiveCart', data: {} });
        await moveOn();
      }),
    leaveArchived: () =>
      attempt(async () => {
        if ((await carts.view(state.cartId))?.status === 'archived') await moveOn();
      }),
    undo: () =>
      attempt(async () => {
        // Undo lives with the history panel's code, loaded when first used.
        const { undoLastChange } = await import('./history/timeline.ts');
        await undoLastChange(carts, state.cartId);
      }),
    change: attempt,
    dismissError: () => void (state.error = ''),
    close() {
      stopUpgraded();
      carts.close();
    },
  };
}

/**
 * The stored cart while it exists and is not archived (a checked-out one stays, to show its
 * order); else the latest open cart; else a new one, so a fresh profile can add at once.
 */
async function currentCart(carts: Carts, stored: string | null): Promise<string> {
  const view = stored ? await carts.view(stored) : undefined;
  if (view && view.status !== 'archived') return view.cartId;
  const list = await carts.list();
  const open = list.filter((cart) => cart.status === 'open');
  const latest = open.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  return latest?.cartId ?? carts.openCart(nextCartName(list));
}

function reasonOf(error: unknown): string {
  if (error instanceof DomainError || error instanceof StorageFullError) return error.message;
  // Not a rule and not storage: a bug. Say something, and leave the details for the console.
  console.error(error);
  return 'Something went wrong and the change was not saved. Please try again.';
}
