// What one event changed in the cart, as a shopper-readable list: the history panel's diff.
import type { CartView } from '../../cart/projections.ts';

export type Change =
  | { kind: 'opened'; name: string }
  | { kind: 'renamed'; from: string; to: string }
  | { kind: 'status'; from: string; to: string }
  | { kind: 'line-added'; sku: string; name: string; quantity: number; unitPrice: number }
  | { kind: 'line-removed'; sku: string; name: string; quantity: number }
  | { kind: 'quantity'; sku: string; name: string; from: number; to: number }
  | { kind: 'total'; from: number; to: number };

export function diffViews(before: CartView | undefined, after: CartView | undefined): Change[] {
  if (!after) return [];
  if (!before) return [{ kind: 'opened', name: after.name }];
  const changes: Change[] = [];
  if (before.name !== after.name) changes.push({ kind: 'renamed', from: before.name, to: after.name });
  if (before.status !== after.status) changes.push({ kind: 'status', from: before.status, to: after.status });
  const old = new Map(before.lines.map((line) => [line.sku, line]));
  const now = new Map(after.lines.map((line) => [line.sku, line]));
  for (const line of before.lines)
    if (!now.has(line.sku)) changes.push({ kind: 'line-removed', sku: line.sku, name: line.name, quantity: line.quantity });
  for (const line of after.lines) {
    const was = old.get(line.sku);
    if (!was) changes.push({ kind: 'line-added', sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: line.unitPrice });
    else if (was.quantity !== line.quantity) changes.push({ kind: 'quantity', sku: line.sku, name: line.name, from: was.quantity, to: line.quantity });
  }
  if (before.total !== after.total) changes.push({ kind: 'total', from: before.total, to: after.total });
  return changes;
}
