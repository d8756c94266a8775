// What the aria-live region says when the shown cart changes — here or in another tab. It is
// worked out from two read-model states, so it covers every source of change alike.
import type { CartView } from '../cart/projections.ts';

export type FormatCents = (cents: number) => string;

const items = (count: number) => `${count} ${count === 1 ? 'item' : 'items'}`;

function lineChanges(before: CartView, after: CartView): string[] {
  const old = new Map(before.lines.map((line) => [line.sku, line]));
  const now = new Set(after.lines.map((line) => line.sku));
  if (after.lines.length === 0 && before.lines.length > 1) return ['Cart cleared.'];
  const changes: string[] = [];
  for (const line of after.lines) {
    const previous = old.get(line.sku);
    if (!previous) changes.push(`Added ${line.name}, quantity ${line.quantity}.`);
    else if (previous.quantity !== line.quantity) changes.push(`${line.name}: quantity ${line.quantity}.`);
  }
  for (const line of before.lines) if (!now.has(line.sku)) changes.push(`Removed ${line.name}.`);
  return changes;
}

/** '' when there is nothing to say (first load, or the same state again). */
export function cartAnnouncement(before: CartView | undefined, after: CartView | undefined, money: FormatCents): string {
  if (!before || !after) return '';
  const summary = `${items(after.itemCount)}, total ${money(after.total)}.`;
  if (before.cartId !== after.cartId) return `Now showing cart ${after.name}: ${summary}`;
  if (before.version === after.version) return '';
  if (after.status === 'checked-out' && before.status !== 'checked-out') return `Order placed: ${summary}`;
  const renamed = before.name === after.name ? [] : [`Cart renamed to ${after.name}.`];
  return [...renamed, ...lineChanges(before, after), `Cart: ${summary}`].join(' ');
}
