// Removing a line, from wherever the shopper does it (the cart line's ✕, the catalog stepper's
// "−" at 1): one RemoveItem whose refusal shows under that line, and, once it is done, a notice
// offering Undo — the same words and the same way back from either place.
import type { CartCommand } from '../cart/commands.ts';
import type { RunOptions } from './session.ts';

export function lineRemoval(sku: string, name: string): [CartCommand, RunOptions] {
  return [{ type: 'RemoveItem', data: { sku } }, { at: `line:${sku}`, notice: { text: `Removed ${name}.`, undo: true } }];
}
