// What the page keeps in the browser's storage about which carts it shows, apart from the session
// code: the page reads it, and opens the carts' database, before the rest of its script has
// loaded (open-first.ts).
import type { KeyValueStorage } from './device.ts';

/** The cart on show, kept in the profile's storage (the sandbox's own in a sandbox: workspace.ts). */
export const CURRENT_CART_KEY = 'cartlog:current-cart';
/**
 * The profile's default cart: an id chosen once and kept here, opened by the first command sent
 * to it (CONTRACT §3). Until then it has no events, so a fresh device that syncs an account pushes
 * no empty cart of its own, and every tab of the profile shows the same one.
 */
export const DEFAULT_CART_KEY = 'cartlog:default-cart';
/** In the tab's storage: the sandbox this tab shows (workspace.ts), '' or absent for the live carts. */
export const SANDBOX_KEY = 'cartlog:sandbox';

/** The carts the page may open on: the stored current cart, then the default one. */
export function storedCarts(storage: KeyValueStorage): string[] {
  const ids = [storage.getItem(CURRENT_CART_KEY), storage.getItem(DEFAULT_CART_KEY)].filter((id): id is string => !!id);
  return [...new Set(ids)];
}

/**
 * Set once the device holds carts, never cleared by the page: a database found empty on a profile
 * that has it was lost (lost-database.ts), not never used. Clearing the site's data clears it too.
 */
export const HAD_CARTS_KEY = 'cartlog:had-carts';

/**
 * How many changes were waiting for the sync server, as sync last counted them: what a database
 * the browser deletes takes with it, said in the lost-database notice (the rest is on the server).
 */
export const PENDING_KEY = 'cartlog:pending';
/** The first of those changes in words (JSON, at most a few), said with the count. */
export const PENDING_LIST_KEY = 'cartlog:pending-list';
