// Where the focus goes when the control that had it goes away or turns disabled (issue 11,
// item 8): the nearest enabled control in the same part of the page (marked data-focus-scope:
// a stepper, a toolbar), else that part's focusable container (tabindex="-1": the cart, the
// history panel), so a keyboard user stays where they were working.
const CONTROLS = 'input:not([disabled]):not([type="hidden"]), button:not([disabled]), select:not([disabled]), a[href]';

export function focusNeighbour(from: Element): void {
  if (from instanceof HTMLElement && !(from as HTMLButtonElement).disabled && from.isConnected) return;
  // Something else already took the focus on purpose (checkout's order summary, a dialog).
  const now = document.activeElement;
  if (now && now !== from && now !== document.body) return;
  const scope = from.closest('[data-focus-scope]');
  const near = scope ? [...scope.querySelectorAll<HTMLElement>(CONTROLS)].find((control) => control !== from) : undefined;
  const target = near ?? from.closest<HTMLElement>('[tabindex="-1"]') ?? document.getElementById('cart');
  target?.focus();
}
