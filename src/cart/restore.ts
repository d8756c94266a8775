// Restore and undo never rewrite history: they append ordinary events, through the command path
// and its rules, that make the present cart equal to an earlier (or what-if) state — same name,
// status and SKU → quantity, lines that come back priced at today's catalog.
import { DomainError } from '../es/errors.ts';
import type { CartCommand } from './commands.ts';
import type { CartState } from './decider.ts';

/** The commands, decided as one, that take `present` to `target`. Throws when that cannot be. */
export function restoreCommands(present: CartState, target: CartState): CartCommand[] {
  if (target.status === 'none') throw new DomainError('restore_before_open', 'Version 0 is before the cart existed: there is nothing to restore.');
  if (present.status === 'checked-out' || present.status === 'archived')
    throw new DomainError('cart_checked_out', `This cart is ${present.status === 'archived' ? 'archived' : 'checked out'}: it can no longer be changed, so it cannot be restored.`);

  const commands: CartCommand[] = [];
  if (present.name !== target.name) commands.push({ type: 'RenameCart', data: { name: target.name } });
  const wanted = new Map(target.lines.map((line) => [line.sku, line.quantity]));
  const removed = present.lines.filter((line) => !wanted.has(line.sku));
  if (removed.length && removed.length === present.lines.length) commands.push({ type: 'ClearCart', data: {} });
  else for (const line of removed) commands.push({ type: 'RemoveItem', data: { sku: line.sku } });
  const now = new Map(present.lines.map((line) => [line.sku, line.quantity]));
  for (const [sku, quantity] of wanted) {
    const current = now.get(sku);
    if (current === undefined) commands.push({ type: 'AddItem', data: { sku, quantity } });
    else if (current !== quantity) commands.push({ type: 'ChangeQuantity', data: { sku, quantity } });
  }
  if (target.status === 'checked-out') commands.push({ type: 'Checkout', data: {} });
  if (target.status === 'archived') commands.push({ type: 'ArchiveCart', data: {} });
  return commands;
}
