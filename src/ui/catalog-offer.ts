// What a catalog row offers for its product (issue 11, item 1). Once the open cart holds it, the
// row becomes a stepper − qty +, so the shopper can change it without scrolling to the cart; its
// "+" is still add-to-cart (CONTRACT §6: AddItem, one more). Its "−" at 1 removes the line, as the
// cart line's ✕ does (with the same Undo): a stepper that stopped at 1 would leave no way back
// from the catalog. A cart that cannot change (checked out, archived, the past on show) keeps the
// plain Add, off and saying why, and how many it holds as words — no stepper that could not work.
import { QUANTITY_MAX } from '../cart/events.ts';
import { LINE_FULL, type Blocker } from './blockers.ts';

export type CatalogOffer =
  | { kind: 'add'; blocker: Blocker; inCart: number }
  | { kind: 'stepper'; quantity: number; less: 'remove' | 'one-less'; more: Blocker };

/** `quantity`: how many the shown cart holds (0 or undefined: none); `blocker`: why the cart cannot change. */
export function catalogOffer(quantity: number | undefined, blocker: Blocker): CatalogOffer {
  const held = quantity ?? 0;
  if (blocker || held === 0) return { kind: 'add', blocker, inCart: held };
  return { kind: 'stepper', quantity: held, less: held === 1 ? 'remove' : 'one-less', more: held >= QUANTITY_MAX ? LINE_FULL : undefined };
}
