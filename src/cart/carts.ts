// The cart log of one device: the generic event store opened with the cart's projections and
// validator, and the command path wired to the cart decider. The UI and the bench use this.
import { v7 as uuidv7 } from 'uuid';
import * as v from 'valibot';
// Straight from the modules, not the es barrel: the barrel would pull the export-file reader into
// the first load, which only the lazily loaded history panel uses.
import { createCommandHandler, watchCommands, type CommandInput, type CommandResult, type CommandWatch } from '../es/command.ts';
import { openEventStore, type EventStore } from '../es/store.ts';
import { DomainError } from '../es/errors.ts';
import type { DataValidator } from '../es/validate.ts';
import { cartCommandSchema, type CartCommand } from './commands.ts';
import { cartDecider, type CartState } from './decider.ts';
import { CURRENT_SCHEMA_VERSION, validateCartEvent, type CartEventType } from './events.ts';
import { cartListProjection, cartViewProjection, popularityProjection, type CartListEntry, type CartView } from './projections.ts';
import { LIVE_DATABASE } from './database-names.ts';

export interface Carts {
  store: EventStore;
  deviceId: string;
  /**
   * Decides and appends one command — or one made from the cart's current state inside the
   * transaction (see CommandInput). Throws DomainError when a rule refuses it (nothing is written).
   */
  execute: (cartId: string, command: CommandInput<CartState, CartCommand>, commandId?: string) => Promise<CommandResult<CartState>>;
  /**
   * Sync rebase: decides a pending command again, under its own id, on top of the cart as it now
   * is. The command is read back from the journal, so its shape is checked first; one that no
   * longer reads as a cart command, or no longer holds, throws DomainError.
   */
  rerun: (cartId: string, command: unknown, commandId: string) => Promise<CommandResult<CartState>>;
  /** Opens a new cart and returns its id (`cart-<uuid>`). */
  openCart: (name: string) => Promise<string>;
  view: (cartId: string) => Promise<CartView | undefined>;
  list: () => Promise<CartListEntry[]>;
  /** The list rows of these carts, in one read; undefined where a cart has none. */
  listed: (cartIds: readonly string[]) => Promise<(CartListEntry | undefined)[]>;
  /** This device's commands as they run and settle, with the rows they wrote (ui/row-follow.ts). */
  commands: CommandWatch;
  /**
   * The views of the carts asked for with `viewsAtOpen`, read as the store opened (no round trip
   * of their own): undefined where a cart has none. A snapshot: what changes later is told by
   * store.subscribe.
   */
  viewsAtOpen: ReadonlyMap<string, CartView | undefined>;
  close: () => void;
}

/** The decider's state, as the cart's view holds it. */
export const cartStateOf = (view: CartView): CartState => ({
  status: view.status,
  name: view.name,
  lines: view.lines.map(({ sku, name, unitPrice, quantity }) => ({ sku, name, unitPrice, quantity })),
});

export const validateCartData: DataValidator = (type, schemaVersion, data) => {
  const result = validateCartEvent(type, schemaVersion, data);
  return result.ok ? null : { field: result.field, reason: result.reason };
};

export async function openCarts(options: { name?: string; deviceId: string; viewsAtOpen?: readonly string[] }): Promise<Carts> {
  const viewsAtOpen = [...new Set(options.viewsAtOpen ?? [])];
  const store = await openEventStore({
    name: options.name ?? LIVE_DATABASE,
    // Popularity spans every cart and nobody waits on it: it follows the log asynchronously.
    projections: [cartViewProjection, cartListProjection, { ...popularityProjection, mode: 'async' }],
    validateData: validateCartData,
    readAtOpen: viewsAtOpen.map((cartId) => [cartViewProjection.name, cartId] as const),
  });
  const { handle, watch } = watchCommands(
    createCommandHandler({
      store,
      decider: cartDecider,
      deviceId: options.deviceId,
      schemaVersionOf: (type) => CURRENT_SCHEMA_VERSION[type as CartEventType],
      // The cart's view holds the decider's whole state: decided on, no snapshot kept beside it.
      stateFrom: { projection: cartViewProjection.name, version: (row) => (row as CartView).version, state: (row) => cartStateOf(row as CartView) },
    }),
  );
  const execute: Carts['execute'] = (cartId, command, commandId = uuidv7()) => handle(cartId, command, { commandId });

  const journalled = v.union([cartCommandSchema, v.array(cartCommandSchema)]);
  const rerun: Carts['rerun'] = (cartId, command, commandId) => {
    const parsed = v.safeParse(journalled, command);
    if (!parsed.success) return Promise.reject(new DomainError('unknown_command', 'This change was made by another version of cartlog and cannot be applied again.'));
    return handle(cartId, parsed.output, { commandId, rerun: true });
  };

  return {
    store,
    deviceId: options.deviceId,
    execute,
    rerun,
    async openCart(name) {
      const cartId = `cart-${uuidv7()}`;
      await execute(cartId, { type: 'OpenCart', data: { cartId, name } });
      return cartId;
    },
    view: (cartId) => store.getRow<CartView>(cartViewProjection.name, cartId),
    list: () => store.listRows<CartListEntry>(cartListProjection.name),
    listed: (cartIds) => store.getRows<CartListEntry>(cartListProjection.name, cartIds),
    commands: watch,
    viewsAtOpen: new Map(viewsAtOpen.map((cartId, i) => [cartId, store.rowsAtOpen[i] as CartView | undefined])),
    close: store.close,
  };
}
