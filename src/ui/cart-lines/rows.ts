// What one cart line shows, as plain text, made for all lines at once when the cart or the reason
// it is frozen changes (issue 12: the cart's first render). The template then only reads fields:
// a call in a Svelte template becomes a memo of its own per line, and each line's view is new on
// every change anyway (a re-read read model), so per-line memos would all re-run together.
import type { CartView } from '../../cart/projections.ts';
import { labelWith, lineBlockers, overruled, type Blocker } from '../blockers.ts';
import { formatCents } from '../money.ts';

/** A line's control: its accessible name (with the reason while it is off) and that reason. */
export interface LineControl {
  label: string;
  blocker: Blocker;
}

export interface LineRow {
  sku: string;
  name: string;
  /** The quantity as the field shows it while the shopper is not typing. */
  quantity: string;
  unit: string;
  total: string;
  decrease: LineControl;
  increase: LineControl;
  remove: LineControl;
}

const control = (action: string, blocker: Blocker): LineControl => ({ label: labelWith(action, blocker), blocker });

export function lineRows(view: CartView, frozen: Blocker): LineRow[] {
  return view.lines.map((line) => {
    const blocked = overruled(lineBlockers(view, line), frozen);
    return {
      sku: line.sku,
      name: line.name,
      quantity: String(line.quantity),
      unit: `${formatCents(line.unitPrice)} each`,
      total: formatCents(line.lineTotal),
      decrease: control(`One less ${line.name}`, blocked.decrease),
      increase: control(`One more ${line.name}`, blocked.increase),
      remove: control(`Remove ${line.name}`, blocked.remove),
    };
  });
}

/** The line after `sku`, else the one before: where the focus goes once `sku` is removed. */
export function neighbourOf(view: CartView, sku: string): string | undefined {
  const i = view.lines.findIndex((line) => line.sku === sku);
  if (i < 0) return undefined;
  return (view.lines[i + 1] ?? view.lines[i - 1])?.sku;
}
