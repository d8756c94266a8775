// Why an action cannot succeed, known from the read model before asking the decider
// (CONTRACT §6): the page disables such a button and puts the reason in its name and title.
// undefined means "worth trying" — the decider still has the last word, and a refusal shows
// error-message. The wording matches the decider's, so a reason reads the same either way.
import type { CartView, CartViewLine } from '../cart/projections.ts';
import { QUANTITY_MAX, QUANTITY_MIN } from '../cart/events.ts';

export type Blocker = string | undefined;

/** Why one more cannot go on a line: the cart line's + and the catalog stepper's + say the same. */
export const LINE_FULL = `A line holds at most ${QUANTITY_MAX}.`;

export function cartLocked(view: CartView): Blocker {
  if (view.status === 'checked-out') return 'This cart has been checked out, so it can no longer be changed.';
  if (view.status === 'archived') return 'This cart is archived, so it can no longer be changed.';
  return undefined;
}

export function lineBlockers(view: CartView, line: CartViewLine): { increase: Blocker; decrease: Blocker; remove: Blocker } {
  const locked = cartLocked(view);
  return {
    increase: locked ?? (line.quantity >= QUANTITY_MAX ? LINE_FULL : undefined),
    decrease: locked ?? (line.quantity <= QUANTITY_MIN ? `The quantity is already ${QUANTITY_MIN}; remove the line instead.` : undefined),
    remove: locked,
  };
}

export function cartBlockers(view: CartView): { checkout: Blocker; clear: Blocker; rename: Blocker; archive: Blocker; undo: Blocker } {
  const locked = cartLocked(view);
  const empty = view.lines.length === 0;
  return {
    checkout: locked ?? (empty ? 'The cart is empty — add something before checking out.' : undefined),
    clear: locked ?? (empty ? 'The cart is already empty.' : undefined),
    rename: locked,
    // The one change a checked-out cart still takes: putting it away, its order kept in the log.
    archive: view.status === 'archived' ? 'This cart is already archived.' : view.version === 0 ? 'Nothing to archive: this cart has had no change yet.' : undefined,
    undo: locked ?? (view.version <= 1 ? 'There is no change to undo in this cart yet.' : undefined),
  };
}

/**
 * While the history panel shows the past or a what-if, the cart on screen is not the one
 * commands would change: every command is off, for this one reason.
 */
export const VIEWING_PAST = 'You are viewing the past: return to the present to change the cart.';

/** Every action blocked by `reason` when there is one, else as they were. */
export function overruled<Blockers extends Record<string, Blocker>>(blockers: Blockers, reason: Blocker): Blockers {
  if (!reason) return blockers;
  return Object.fromEntries(Object.keys(blockers).map((action) => [action, reason])) as Blockers;
}

/** An accessible name that carries the reason while the action is unavailable. */
export function labelWith(action: string, blocker: Blocker): string {
  return blocker ? `${action} — unavailable: ${blocker}` : action;
}
