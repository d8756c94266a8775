// The past-orders list (CONTRACT §6): checked-out and archived carts, newest first. A cart that
// is checked out or archived changes no more, so its last change is that checkout or archive.
import type { CartListEntry } from '../cart/projections.ts';

export function pastOrders(list: readonly CartListEntry[]): CartListEntry[] {
  return list.filter((cart) => cart.status !== 'open').sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}
