// The cart's rules (CONTRACT §3). decide refuses with a DomainError whose code is stable for
// programs and whose message is for the shopper; a command that would change nothing returns [].
// State is plain data (no Map, Set or class): the store keeps it as an IndexedDB snapshot.
import type { Decider } from '../es/decider.ts';
import { DomainError } from '../es/errors.ts';
import type { FindProduct } from './catalog.ts';
import { findProduct } from './catalog.ts';
import type { CartCommand, CartCommandOf } from './commands.ts';
import type { CartEvent } from './events.ts';
import { NAME_MAX_LENGTH, QUANTITY_MAX, QUANTITY_MIN, isCartStreamId, isQuantity, nameLength } from './events.ts';

export const MAX_LINES = 50;

export type CartStatus = 'none' | 'open' | 'checked-out' | 'archived';

export interface CartLine {
  sku: string;
  name: string;
  /** Cents, as the catalog priced it when the line was added. */
  unitPrice: number;
  quantity: number;
}

export interface CartState {
  status: CartStatus;
  name: string;
  /** In the order they were added. */
  lines: CartLine[];
}

export type CartErrorCode =
  | 'cart_not_found'
  | 'cart_already_exists'
  | 'invalid_cart_id'
  | 'invalid_name'
  | 'invalid_quantity'
  | 'line_quantity_over_limit'
  | 'too_many_lines'
  | 'unknown_product'
  | 'item_not_in_cart'
  | 'cart_empty'
  | 'cart_checked_out'
  | 'cart_archived'
  | 'unknown_command';

function refuse(code: CartErrorCode, message: string): never {
  throw new DomainError(code, message);
}

export const initialCartState = (): CartState => ({ status: 'none', name: '', lines: [] });

export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
}

export function cartItemCount(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

/**
 * How events change a cart, written once: folds `events` into a copy of `state` and returns it,
 * leaving `state` as it was. The copy is changed in place event by event, so a bulk fold of many
 * events copies the lines once, not once an event. Line objects are replaced, never changed, so
 * the copy may share them with `state`.
 */
export function evolveCartAll(state: CartState, events: Iterable<CartEvent>): CartState {
  const cart: CartState = { status: state.status, name: state.name, lines: [...state.lines] };
  for (const event of events) applyTo(cart, event);
  return cart;
}

/** Pure: returns a new state and leaves `state` as it was. */
export const evolveCart = (state: CartState, event: CartEvent): CartState => evolveCartAll(state, [event]);

/** One event, in place. A line is matched by SKU wherever it appears (an imported log may repeat one). */
function applyTo(cart: CartState, event: CartEvent): void {
  const { lines } = cart;
  switch (event.type) {
    case 'CartOpened':
      cart.status = 'open';
      cart.name = event.data.name;
      lines.length = 0;
      return;
    case 'CartRenamed':
      cart.name = event.data.name;
      return;
    case 'ItemAdded': {
      const { sku, name, unitPrice, quantity } = event.data;
      lines.push({ sku, name, unitPrice, quantity });
      return;
    }
    case 'ItemQuantityChanged': {
      const { sku, quantity } = event.data;
      for (let i = 0; i < lines.length; i++) if (lines[i]!.sku === sku) lines[i] = { ...lines[i]!, quantity };
      return;
    }
    case 'ItemRemoved': {
      let kept = 0;
      for (const line of lines) if (line.sku !== event.data.sku) lines[kept++] = line;
      lines.length = kept;
      return;
    }
    case 'CartCleared':
      lines.length = 0;
      return;
    case 'CartCheckedOut':
      cart.status = 'checked-out';
      return;
    case 'CartArchived':
      cart.status = 'archived';
      return;
    default:
      // An event type this code does not know (a newer app wrote it) leaves the cart as it was.
      return;
  }
}

function checkedName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '') refuse('invalid_name', 'Give the cart a name.');
  const length = nameLength(trimmed);
  if (length > NAME_MAX_LENGTH) {
    refuse('invalid_name', `A cart name can have at most ${NAME_MAX_LENGTH} characters — this one has ${length}.`);
  }
  return trimmed;
}

function checkQuantity(quantity: unknown, hint = ''): asserts quantity is number {
  if (isQuantity(quantity)) return;
  const asked = String(quantity);
  const whole = typeof quantity === 'number' && Number.isFinite(quantity) && !Number.isInteger(quantity) ? 'a whole number ' : '';
  refuse('invalid_quantity', `Quantity must be ${whole}between ${QUANTITY_MIN} and ${QUANTITY_MAX} — you asked for ${asked}.${hint}`);
}

/** Nothing changes a checked-out or archived cart; archiving is decided before this is asked. */
function checkOpen(state: CartState): void {
  if (state.status === 'checked-out') {
    refuse('cart_checked_out', 'This cart has been checked out, so it can no longer be changed. Open a new cart to keep shopping.');
  }
  if (state.status === 'archived') refuse('cart_archived', 'This cart is archived, so it can no longer be changed.');
}

const findLine = (state: CartState, sku: string) => state.lines.find((line) => line.sku === sku);

export function createCartDecider(lookup: FindProduct): Decider<CartState, CartCommand, CartEvent> {
  const lineOf = (state: CartState, sku: string): CartLine => {
    const line = findLine(state, sku);
    if (line) return line;
    // The catalog only lends the name to the message; the rule itself is about the cart.
    const label = lookup(sku)?.name ?? sku;
    return refuse('item_not_in_cart', `${label} is not in this cart.`);
  };

  const addItem = ({ sku, quantity }: CartCommandOf<'AddItem'>['data'], state: CartState): CartEvent[] => {
    checkQuantity(quantity);
    const product = lookup(sku);
    if (!product) refuse('unknown_product', `There is no product “${sku}” in the catalog.`);
    const line = findLine(state, sku);
    if (line) {
      const total = line.quantity + quantity;
      if (total > QUANTITY_MAX) {
        refuse(
          'line_quantity_over_limit',
          `You already have ${line.quantity} × ${line.name}; adding ${quantity} would make ${total}, but a line holds at most ${QUANTITY_MAX}.`,
        );
      }
      return [{ type: 'ItemQuantityChanged', data: { sku, quantity: total } }];
    }
    if (state.lines.length >= MAX_LINES) {
      refuse('too_many_lines', `A cart holds at most ${MAX_LINES} different products — remove one before adding ${product.name}.`);
    }
    const { name, unitPrice } = product;
    return [{ type: 'ItemAdded', data: { sku, name, unitPrice, quantity } }];
  };

  const decide = (command: CartCommand, state: CartState): CartEvent[] => {
    if (command.type === 'OpenCart') {
      if (state.status !== 'none') refuse('cart_already_exists', 'This cart already exists. Open a new cart instead.');
      const { cartId, name } = command.data;
      if (!isCartStreamId(cartId)) refuse('invalid_cart_id', `“${String(cartId)}” is not a cart id (cart-<uuid>).`);
      return [{ type: 'CartOpened', data: { name: checkedName(name) } }];
    }
    if (state.status === 'none') refuse('cart_not_found', 'This cart does not exist. Open a new cart to start shopping.');
    if (command.type === 'ArchiveCart') return state.status === 'archived' ? [] : [{ type: 'CartArchived', data: {} }];
    checkOpen(state);
    switch (command.type) {
      case 'RenameCart': {
        const name = checkedName(command.data.name);
        return name === state.name ? [] : [{ type: 'CartRenamed', data: { name } }];
      }
      case 'AddItem':
        return addItem(command.data, state);
      case 'ChangeQuantity': {
        const { sku, quantity } = command.data;
        checkQuantity(quantity, quantity === 0 ? ' To take it out of the cart, remove the line.' : '');
        const line = lineOf(state, sku);
        return line.quantity === quantity ? [] : [{ type: 'ItemQuantityChanged', data: { sku, quantity } }];
      }
      case 'RemoveItem':
        lineOf(state, command.data.sku);
        return [{ type: 'ItemRemoved', data: { sku: command.data.sku } }];
      case 'ClearCart':
        return state.lines.length === 0 ? [] : [{ type: 'CartCleared', data: {} }];
      case 'Checkout':
        if (state.lines.length === 0) refuse('cart_empty', 'The cart is empty — add something before checking out.');
        return [{ type: 'CartCheckedOut', data: { total: cartTotal(state.lines), itemCount: cartItemCount(state.lines) } }];
      default:
        return refuse('unknown_command', `“${String((command as { type?: unknown }).type)}” is not something a cart can do.`);
    }
  };

  return { initialState: initialCartState, decide, evolve: evolveCart, stateVersion: 1 };
}

export const cartDecider = createCartDecider(findProduct);
