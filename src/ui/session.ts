// The page's session, free of Svelte and the DOM so it runs in Node: which cart is current (kept
// in storage across reloads), and running the shopper's commands against it. Whatever a refusal
// says lands in state.error until the next accepted command. The caller hands in `state`, so a
// Svelte wrapper can pass a $state proxy and a test a plain object.
// Not the cart barrel: it holds the importer, which only the lazily loaded history panel needs.
import { openCarts, type Carts } from '../cart/carts.ts';
import { findProduct } from '../cart/catalog.ts';
import type { CartCommand } from '../cart/commands.ts';
import type { CartState } from '../cart/decider.ts';
import type { CartListEntry, CartView } from '../cart/projections.ts';
import { v7 as uuidv7 } from 'uuid';
import type { CommandInput } from '../es/command.ts';
import { ConnectionLostError, DatabaseUpgradedError, DomainError, StorageFullError } from '../es/errors.ts';
import { DEFAULT_CART_NAME, nextCartName } from './cart-choices.ts';
import type { KeyValueStorage } from './device.ts';
import { lostDatabase, noteCarts, type LostDatabase } from './lost-database.ts';
import { CURRENT_CART_KEY, DEFAULT_CART_KEY, storedCarts } from './stored-keys.ts';

export { DEFAULT_CART_NAME };
/** A refusal stays on screen at least 8 s (CONTRACT §6 error-message). */
export const ERROR_SHOWN_MS = 10_000;

/** Where a refusal shows: next to the field that was refused, else in the cart's footer. */
export type ErrorPlace = 'cart' | 'rename' | `line:${string}`;

/** A change that took something away, with the offer to take it back (history/timeline.ts undo). */
export interface Notice {
  text: string;
  undo: boolean;
}

export interface SessionState {
  /** Set once the session is open; every command goes to this cart. */
  cartId: string;
  /** The reason the last command was refused; '' once a command succeeds, is dismissed or expires. */
  error: string;
  /** Which control the refusal is about, so the page shows it there. */
  errorAt?: ErrorPlace | undefined;
  /** Said after a Remove or an Empty cart, until the next command. */
  notice?: Notice | undefined;
  /** The profile's default cart id (DEFAULT_CART_KEY): listed even before its first command opens it. */
  defaultCartId?: string | undefined;
  /**
   * Carts of the account made on other devices are here (they came in by sync while the page
   * showed the unopened default cart): that empty cart of the device's own is no longer offered
   * beside them (CONTRACT §3).
   */
  accountCarts?: boolean;
  /** The cart shown is an order from the past-orders list: read-only, not in the switcher. */
  pastOrder?: boolean | undefined;
  /**
   * Set for good once another tab upgraded the database: this tab's connection is closed and
   * nothing works until it reloads, so this is not a refusal that the next command clears.
   */
  upgraded: string;
  /**
   * Set when the browser dropped the database connection twice in a row (the store's
   * onConnectionLost): the page offers a reload. A later command that works clears it.
   */
  connectionLost?: string | undefined;
  /** The browser lost this device's carts before this visit (lost-database.ts); undefined once dismissed. */
  lostDatabase?: LostDatabase | undefined;
}

export interface SessionOptions {
  storage: KeyValueStorage;
  deviceId: string;
  /** The IndexedDB database; tests use their own, a sandbox will too. */
  dbName?: string;
  state?: SessionState;
  /** How long a refusal shows; ERROR_SHOWN_MS unless a test says otherwise. */
  errorMs?: number;
}

export interface RunOptions {
  /** Where a refusal of this command shows. */
  at?: ErrorPlace;
  /** Said once the command is accepted (Remove, Empty cart: with Undo). */
  notice?: Notice;
}

export interface Session {
  readonly carts: Carts;
  readonly state: SessionState;
  /**
   * Set when the database this session opened had been lost by the browser (lost-database.ts):
   * sync, when set up, restores the carts from the server; the page says what happened.
   */
  readonly lostDatabase: LostDatabase | undefined;
  /** Runs one command against the current cart; true when it was accepted. */
  run: (command: CartCommand, options?: RunOptions) => Promise<boolean>;
  /** Shows a refusal the page decided itself (a quantity that is not a number), as a command's would. */
  refuse: (reason: string, at?: ErrorPlace) => void;
  /** Opens a new cart with one of `sku` in it (the catalog's offer beside a checked-out cart). */
  addToNewCart: (sku: string) => Promise<boolean>;
  /** A new cart with the lines of `cartId` (an order), at today's prices; products gone from the catalog are left out. */
  buyAgain: (cartId: string) => Promise<boolean>;
  /** Shows a checked-out or archived cart from the past orders, read-only. */
  showOrder: (cartId: string) => Promise<boolean>;
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
  /**
   * The device's cart list as it changes. While the page shows the device's unopened default
   * cart, open carts made on other devices (a sync brought them) take its place: the most
   * recently changed open cart is shown, as on a second device of an account, or once a database
   * the browser deleted is restored from the server (CONTRACT §3). Resolves once decided.
   */
  cartsArrived: (list: readonly CartListEntry[]) => Promise<void>;
  /**
   * The view of the cart that was current when the session opened, as read then — once, and only
   * for that cart ({ view: undefined }: it had none, the unopened default cart); else undefined.
   * The page draws its first render from it while it reads the stored row again: once taken, or
   * for another cart, it could be older than what is stored.
   */
  takeOpeningView: (cartId: string) => { view: CartView | undefined } | undefined;
  close: () => void;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const { storage } = options;
  // The carts the page may open on are read with the store's own open check: on a reload the
  // stored cart is usually one of them, and its first render then waits for no read of its own.
  const carts = await openCarts({ deviceId: options.deviceId, viewsAtOpen: storedCarts(storage), ...(options.dbName ? { name: options.dbName } : {}) });
  const state = options.state ?? { cartId: '', error: '', upgraded: '' };
  const lost = lostDatabase(carts.store.found, storage);
  state.lostDatabase = lost;
  // Any commit, here, in another tab or from a sync, leaves the device holding carts.
  if ([...carts.viewsAtOpen.values()].some(Boolean)) noteCarts(storage);
  const stopNoting = carts.store.subscribe(() => noteCarts(storage));
  const select = (cartId: string) => {
    state.cartId = cartId;
    state.pastOrder = false;
    state.defaultCartId = storage.getItem(DEFAULT_CART_KEY) ?? undefined;
    // A write to localStorage costs a synchronous moment; on a reload the cart is the stored one.
    if (storage.getItem(CURRENT_CART_KEY) !== cartId) storage.setItem(CURRENT_CART_KEY, cartId);
  };
  select(await currentCart(carts, storage, { known: carts.viewsAtOpen }));
  let openedOn = carts.viewsAtOpen.has(state.cartId) ? { cartId: state.cartId, view: carts.viewsAtOpen.get(state.cartId) } : undefined;

  // A refusal leaves by itself after a while; a newer one restarts the wait.
  let errorTimer: ReturnType<typeof setTimeout> | undefined;
  const showError = (reason: string, at: ErrorPlace = 'cart') => {
    state.error = reason;
    state.errorAt = at;
    state.notice = undefined;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => clearError(), options.errorMs ?? ERROR_SHOWN_MS);
  };
  const clearError = () => {
    clearTimeout(errorTimer);
    state.error = '';
    state.errorAt = undefined;
  };
  const stopUpgraded = carts.store.onUpgraded((error) => (state.upgraded = error.message));
  const stopLost = carts.store.onConnectionLost((error) => (state.connectionLost = error.message));

  // One command at a time from this page: a command's input (the cart, a line's quantity) is
  // read when its turn comes, after everything clicked before it has been written. Switching
  // carts waits its turn too, so what was clicked before a switch lands in the cart it was meant for.
  let queue: Promise<unknown> = Promise.resolve();
  function attempt(work: () => Promise<unknown>, options: RunOptions = {}): Promise<boolean> {
    const turn = queue.then(async () => {
      try {
        await work();
        clearError();
        state.connectionLost = undefined;
        state.notice = options.notice;
        return true;
      } catch (error) {
        if (error instanceof DatabaseUpgradedError) state.upgraded = error.message;
        else if (error instanceof ConnectionLostError) state.connectionLost = error.message;
        else showError(reasonOf(error), options.at);
        return false;
      }
    });
    queue = turn;
    return turn;
  }

  const moveOn = async () => select(await currentCart(carts, storage, { ignoreStored: true }));
  /** Which device made each cart cartsArrived looked at (its first event's deviceId). */
  const madeBy = new Map<string, string | undefined>();
  // The default cart is opened by the first command sent to it, in that command's transaction:
  // two tabs doing so at once open it once (the second sees it opened).
  const opening = (cartId: string, command: CommandInput<CartState, CartCommand>): CommandInput<CartState, CartCommand> =>
    cartId !== storage.getItem(DEFAULT_CART_KEY)
      ? command
      : (cart) => {
          const steps = typeof command === 'function' ? command(cart) : command;
          if (cart.status !== 'none') return steps;
          return [{ type: 'OpenCart', data: { cartId, name: DEFAULT_CART_NAME } }, ...(Array.isArray(steps) ? steps : [steps as CartCommand])];
        };
  const execute = (command: CommandInput<CartState, CartCommand>) => carts.execute(state.cartId, opening(state.cartId, command));

  return {
    carts,
    state,
    lostDatabase: lost,
    run: (command, options) => attempt(() => execute(command), options),
    refuse: (reason, at) => showError(reason, at),
    addToNewCart: (sku) =>
      attempt(async () => {
        const cartId = `cart-${uuidv7()}`;
        await carts.execute(cartId, [
          { type: 'OpenCart', data: { cartId, name: nextCartName(await carts.list()) } },
          { type: 'AddItem', data: { sku, quantity: 1 } },
        ]);
        select(cartId);
      }),
    buyAgain: (cartId) =>
      attempt(async () => {
        const order = await carts.view(cartId);
        const lines = (order?.lines ?? []).filter((line) => findProduct(line.sku));
        if (!order || lines.length === 0) throw new DomainError('nothing_to_buy', 'None of the products of that order is in the catalog any more.');
        const next = `cart-${uuidv7()}`;
        // One command id, one transaction: the new cart is opened with all its lines, or not at all.
        await carts.execute(next, [
          { type: 'OpenCart', data: { cartId: next, name: nextCartName(await carts.list()) } },
          ...lines.map((line): CartCommand => ({ type: 'AddItem', data: { sku: line.sku, quantity: line.quantity } })),
        ]);
        select(next);
      }),
    showOrder: (cartId) =>
      attempt(async () => {
        const view = await carts.view(cartId);
        if (!view || view.status === 'open') throw new DomainError('cart_not_found', 'That order is not on this device.');
        // Not stored as the current cart: a reload comes back to the shopping cart.
        state.cartId = cartId;
        state.pastOrder = true;
      }),
    adjust: (sku, delta) =>
      attempt(
        () =>
          // The quantity is read inside the command's transaction: a "+" pressed in another tab at
          // the same moment is counted, not overwritten. A line that is gone is left to the
          // decider, which says so in its own words.
          execute((cart) => ({
            type: 'ChangeQuantity',
            data: { sku, quantity: (cart.lines.find((l) => l.sku === sku)?.quantity ?? 0) + delta },
          })),
        { at: `line:${sku}` },
      ),
    newCart: (name) => attempt(async () => select(await carts.openCart(name ?? nextCartName(await carts.list())))),
    switchTo: (cartId) =>
      attempt(async () => {
        const view = await carts.view(cartId);
        const unopened = !view && cartId === storage.getItem(DEFAULT_CART_KEY);
        if (!unopened && (!view || view.status === 'archived')) {
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
        if (!state.pastOrder && (await carts.view(state.cartId))?.status === 'archived') await moveOn();
      }),
    async cartsArrived(list) {
      const defaultId = storage.getItem(DEFAULT_CART_KEY);
      const showsDefault = () => !state.pastOrder && state.cartId === defaultId && !list.some((entry) => entry.cartId === defaultId);
      if (!showsDefault()) return;
      // Newest first; a cart's first event says which device made it (one small read each, and
      // only while the unopened default cart is on show). The first of another device decides.
      const open = list.filter((entry) => entry.status === 'open').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      for (const entry of open.slice(0, ORIGINS_READ)) {
        if (!madeBy.has(entry.cartId)) madeBy.set(entry.cartId, (await carts.store.readStream(entry.cartId, { from: 1, to: 1 }))[0]?.meta.deviceId);
        if (madeBy.get(entry.cartId) === options.deviceId) continue;
        if (!showsDefault()) return;
        state.accountCarts = true;
        return select(open[0]!.cartId);
      }
    },
    undo: () =>
      attempt(async () => {
        // Undo lives with the history panel's code, loaded when first used.
        const { undoLastChange } = await import('./history/timeline.ts');
        await undoLastChange(carts, state.cartId);
      }),
    change: attempt,
    dismissError: clearError,
    takeOpeningView(cartId) {
      if (openedOn?.cartId !== cartId) return undefined;
      const { view } = openedOn;
      openedOn = undefined;
      return { view };
    },
    close() {
      clearTimeout(errorTimer);
      stopUpgraded();
      stopLost();
      stopNoting();
      carts.close();
    },
  };
}

/**
 * The stored cart while it exists and is not archived (a checked-out one stays, to show its
 * order), or while it is the unopened default cart; else the latest open cart; else the default
 * cart, opened by its first command, so a fresh profile can add at once and writes nothing until then.
 */
async function currentCart(
  carts: Carts,
  storage: KeyValueStorage,
  options: { ignoreStored?: boolean; known?: ReadonlyMap<string, CartView | undefined> } = {},
): Promise<string> {
  const { known } = options;
  // Views read as the store opened are as good as a read now: nothing ran in between.
  const viewOf = (cartId: string) => (known?.has(cartId) ? known.get(cartId) : carts.view(cartId));
  const stored = options.ignoreStored ? null : storage.getItem(CURRENT_CART_KEY);
  const view = stored ? await viewOf(stored) : undefined;
  if (view && view.status !== 'archived') return view.cartId;
  const defaultId = storage.getItem(DEFAULT_CART_KEY);
  const defaultView = defaultId ? await viewOf(defaultId) : undefined;
  if (stored && stored === defaultId && !defaultView) return stored;
  const list = await carts.list();
  const open = list.filter((cart) => cart.status === 'open');
  const latest = open.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  if (latest) return latest.cartId;
  // The default cart when it is still unopened, else a fresh id for the next one.
  if (defaultId && !defaultView) return defaultId;
  const next = `cart-${uuidv7()}`;
  storage.setItem(DEFAULT_CART_KEY, next);
  return next;
}

/** What the page shows for the default cart before its first command opens it. */
export function unopenedCart(cartId: string): CartView {
  const at = new Date(0).toISOString();
  return { cartId, name: DEFAULT_CART_NAME, status: 'open', lines: [], total: 0, itemCount: 0, version: 0, openedAt: at, updatedAt: at };
}

/** Carts whose maker cartsArrived reads, newest first, before it leaves the default cart on show. */
const ORIGINS_READ = 20;

function reasonOf(error: unknown): string {
  if (error instanceof DomainError || error instanceof StorageFullError) return error.message;
  // Not a rule and not storage: a bug. Say something, and leave the details for the console.
  console.error(error);
  return 'Something went wrong and the change was not saved. Please try again.';
}
