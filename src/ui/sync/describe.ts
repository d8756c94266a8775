// The words the sync parts show: the status line, and what a rejected change was.
import * as v from 'valibot';
import { findProduct } from '../../cart/catalog.ts';
import { cartCommandSchema, type CartCommand } from '../../cart/commands.ts';
import type { SyncStatus } from '../../sync/client/index.ts';

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

/** The status line; offline, a retry and an error always say why (CONTRACT §5: the reason names the server). */
export function statusText({ state, pending, reason }: SyncStatus): string {
  const why = (text: string) => (reason ? `${text}. ${reason}` : text);
  switch (state) {
    case 'local-only':
      return 'Sync off: changes stay on this device';
    case 'offline':
      return why(pending ? `Offline: ${changes(pending)} will sync when back online` : 'Offline');
    case 'syncing':
      return reason ? why(pending ? `Syncing ${changes(pending)}` : 'Syncing') : pending ? `Syncing ${changes(pending)}…` : 'Syncing…';
    case 'synced':
      return reason ? `Synced. ${reason}` : 'Synced';
    case 'error':
      return `Sync error: ${reason ?? 'unknown'}`;
  }
}

const product = (sku: string) => findProduct(sku)?.name ?? sku;

function describeOne(command: CartCommand): string {
  switch (command.type) {
    case 'OpenCart':
      return `Open cart “${command.data.name}”`;
    case 'RenameCart':
      return `Rename the cart to “${command.data.name}”`;
    case 'AddItem':
      return `Add ${command.data.quantity} × ${product(command.data.sku)}`;
    case 'ChangeQuantity':
      return `Set ${product(command.data.sku)} to ${command.data.quantity}`;
    case 'RemoveItem':
      return `Remove ${product(command.data.sku)}`;
    case 'ClearCart':
      return 'Empty the cart';
    case 'Checkout':
      return 'Check out';
    case 'ArchiveCart':
      return 'Archive the cart';
  }
}

/** A journalled command (one, or several decided as one) in a shopper's words. */
export function describeCommand(command: unknown): string {
  const list = (Array.isArray(command) ? command : [command]).filter((c): c is CartCommand => v.is(cartCommandSchema, c));
  if (list.length === 0) return 'A change';
  const [first, second] = list.map(describeOne);
  if (list.length === 1) return first!;
  if (list.length === 2) return `${first} and ${second!.charAt(0).toLowerCase()}${second!.slice(1)}`;
  return `${first} and ${list.length - 1} more changes`;
}

