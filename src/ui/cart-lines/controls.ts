// The cart's lines take their clicks and keys in one handler on the list (issue 12: a component
// and its effects per button cost most of the cart's first render): an event says which line it
// came from by the `cart-line` it is in, and which control by that control's testid.
export type LineAction = 'qty-dec' | 'qty-inc' | 'line-remove' | 'line-qty';

const ACTIONS: ReadonlySet<string> = new Set<LineAction>(['qty-dec', 'qty-inc', 'line-remove', 'line-qty']);

export interface LineTarget {
  sku: string;
  action: LineAction;
  element: HTMLElement;
}

/**
 * The line control an event reached, or undefined for anything else in a line (the refusal's
 * Dismiss, the text). `target` may be inside the control (a click on a button's text).
 */
export function lineTarget(target: EventTarget | null): LineTarget | undefined {
  if (!(target instanceof Element)) return undefined;
  const element = target.closest<HTMLElement>('[data-testid]');
  const action = element?.dataset.testid;
  if (!element || !action || !ACTIONS.has(action)) return undefined;
  const sku = element.closest<HTMLElement>('[data-testid="cart-line"]')?.dataset.sku;
  return sku === undefined ? undefined : { sku, action: action as LineAction, element };
}
