// The diff of one event (diff.ts) in words a shopper reads: "Apples: 2 → 5", not a JSON patch.
import type { Change } from './diff.ts';

export type FormatCents = (cents: number) => string;

export interface ChangeLine {
  /** added / removed / changed: the colour and marker the line gets. */
  tone: 'added' | 'removed' | 'changed';
  text: string;
}

export function describeChange(change: Change, money: FormatCents): ChangeLine {
  switch (change.kind) {
    case 'opened':
      return { tone: 'added', text: `Cart opened as “${change.name}”` };
    case 'renamed':
      return { tone: 'changed', text: `Renamed “${change.from}” → “${change.to}”` };
    case 'status':
      return { tone: 'changed', text: `Status ${change.from} → ${change.to}` };
    case 'line-added':
      return { tone: 'added', text: `Added ${change.name} × ${change.quantity} at ${money(change.unitPrice)} each` };
    case 'line-removed':
      return { tone: 'removed', text: `Removed ${change.name} (× ${change.quantity})` };
    case 'quantity':
      return { tone: 'changed', text: `${change.name}: quantity ${change.from} → ${change.to}` };
    case 'total':
      return { tone: 'changed', text: `Total ${money(change.from)} → ${money(change.to)}` };
  }
}
