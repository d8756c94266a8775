// The cart's lines in a real DOM (CONTRACT §6 cart-line, line-qty, qty-inc, qty-dec, line-remove):
// what each control does, the typed quantity's rules, and where the focus goes when a focused
// button turns off. The list takes its lines' events in one handler (issue 12); these say that
// nothing a shopper can do changed with it. The DOM is driven directly, so every engine runs them.
import { createRawSnippet, flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartView } from '../../src/cart/projections.ts';
import { VIEWING_PAST } from '../../src/ui/blockers.ts';
import { lineTarget } from '../../src/ui/cart-lines/controls.ts';
import CartLines from '../../src/ui/CartLines.svelte';
import { linesProps } from './cart-lines-props.svelte.ts';
import { cartWith } from './cart-lines-fixture.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});


const refusal = createRawSnippet(() => ({ render: () => '<div data-testid="error-message" role="alert"><p>No.</p><button type="button">Dismiss</button></div>' }));

/** The list on screen; `accept` answers each typed quantity (the command's outcome). */
function show(view: CartView, accept: () => Promise<boolean> = async () => true) {
  const target = document.body.appendChild(document.createElement('div'));
  // The panel's focusable container: where focus.ts falls back to.
  target.id = 'cart';
  target.tabIndex = -1;
  const lines = linesProps(view, refusal, accept);
  const instance = mount(CartLines, { target, props: lines.props });
  flushSync();
  cleanup.push(async () => {
    await unmount(instance);
    target.remove();
  });
  const line = (sku: string) => target.querySelector<HTMLElement>(`[data-testid="cart-line"][data-sku="${sku}"]`)!;
  const control = <E extends HTMLElement>(sku: string, testid: string) => line(sku).querySelector<E>(`[data-testid="${testid}"]`)!;
  return { target, lines, line, control, field: (sku: string) => control<HTMLInputElement>(sku, 'line-qty') };
}

function type(field: HTMLInputElement, text: string) {
  field.focus();
  field.value = text;
  field.dispatchEvent(new InputEvent('input', { bubbles: true, data: text, inputType: 'insertText' }));
  flushSync();
}

/** Whether the list took the key (it prevents what it handles). */
function press(field: HTMLInputElement, key: string): boolean {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
  field.dispatchEvent(event);
  flushSync();
  return event.defaultPrevented;
}

/** Leaving the field; the blur event itself, in case the page has no system focus. */
function leave(field: HTMLInputElement) {
  field.dispatchEvent(new FocusEvent('blur'));
  field.blur();
  flushSync();
}

const settle = async () => {
  await tick();
  await new Promise((wake) => setTimeout(wake, 0));
  flushSync();
};

describe('a cart line', () => {
  it('shows each line with its controls, named, and off with the reason where they cannot succeed', () => {
    const { target, line, control, field } = show(cartWith([['A', 1], ['B', 99]]));
    expect([...target.querySelectorAll<HTMLElement>('[data-testid="cart-line"]')].map((li) => li.dataset.sku)).toEqual(['A', 'B']);
    const decA = control<HTMLButtonElement>('A', 'qty-dec');
    expect(decA.disabled).toBe(true);
    expect(decA.title).toMatch(/already 1/);
    expect(decA.getAttribute('aria-label')).toBe(`One less Name A — unavailable: ${decA.title}`);
    expect(control<HTMLButtonElement>('A', 'qty-inc').disabled).toBe(false);
    expect(control<HTMLButtonElement>('A', 'qty-inc').hasAttribute('title')).toBe(false);
    expect(control<HTMLButtonElement>('A', 'qty-inc').getAttribute('aria-label')).toBe('One more Name A');
    expect(control<HTMLButtonElement>('B', 'qty-inc').disabled).toBe(true);
    expect(control<HTMLButtonElement>('B', 'line-remove').getAttribute('aria-label')).toBe('Remove Name B');
    expect(field('B').value).toBe('99');
    expect(field('B').getAttribute('aria-label')).toBe('Quantity of Name B');
    expect(field('B').readOnly).toBe(false);
    expect(line('B').querySelector('[role="group"]')!.getAttribute('aria-label')).toBe('Quantity of Name B');
    expect(line('A').textContent).toMatch(/Name A.*each/);
  });

  it('− and + adjust their line; ✕ removes it and names the line the focus goes to next', () => {
    const { lines, control } = show(cartWith([['A', 2], ['B', 2], ['C', 2]]));
    control('B', 'qty-inc').click();
    control('B', 'qty-dec').click();
    control('B', 'line-remove').click();
    control('C', 'line-remove').click();
    expect(lines.calls.adjust).toEqual([
      ['B', 1],
      ['B', -1],
    ]);
    expect(lines.calls.remove).toEqual([
      ['B', 'Name B', 'C'],
      ['C', 'Name C', 'B'],
    ]);
  });

  it('shows a refusal under its line only, and its Dismiss is not a line control', () => {
    const { lines, target, line, field } = show(cartWith([['A', 2], ['B', 2]]));
    lines.errorSku = 'B';
    flushSync();
    expect(line('B').querySelector('.line-error [data-testid="error-message"]')).not.toBeNull();
    expect(line('A').querySelector('.line-error')).toBeNull();
    // The field is described by the reason: a screen reader reads it with the field.
    const described = document.getElementById(field('B').getAttribute('aria-describedby')!);
    expect(described?.textContent).toMatch(/No\./);
    expect(line('B').contains(described)).toBe(true);
    expect(field('A').hasAttribute('aria-describedby')).toBe(false);
    target.querySelector<HTMLButtonElement>('[data-testid="error-message"] button')!.click();
    expect(lines.calls).toMatchObject({ adjust: [], remove: [] });
    lines.errorSku = undefined;
    flushSync();
    expect(target.querySelector('.line-error')).toBeNull();
  });

  it('a checked-out cart is a receipt: no buttons, the quantity read-only', () => {
    const { target, field } = show(cartWith([['A', 2]], { status: 'checked-out' }));
    expect(target.querySelector('ul')!.classList.contains('receipt')).toBe(true);
    expect(target.querySelectorAll('button')).toHaveLength(0);
    expect(target.querySelector('.times')!.textContent).toBe('×');
    expect(field('A').readOnly).toBe(true);
  });

  it('the past keeps its controls, all off for that one reason', () => {
    const { lines, control } = show(cartWith([['A', 2]]));
    lines.frozen = VIEWING_PAST;
    flushSync();
    for (const testid of ['qty-dec', 'qty-inc', 'line-remove']) {
      const button = control<HTMLButtonElement>('A', testid);
      expect(button.disabled).toBe(true);
      expect(button.title).toBe(VIEWING_PAST);
    }
  });
});

describe('a typed quantity', () => {
  it('Enter applies it; the field then follows the cart again', async () => {
    const { lines, field } = show(cartWith([['A', 2], ['B', 3]]));
    type(field('A'), '7');
    expect(press(field('A'), 'Enter')).toBe(true);
    expect(lines.calls.set).toEqual([['A', 7]]);
    await settle();
    lines.view = cartWith([['A', 7], ['B', 3]]);
    flushSync();
    expect(field('A').value).toBe('7');
    lines.view = cartWith([['A', 8], ['B', 3]]);
    flushSync();
    expect(field('A').value).toBe('8');
  });

  it('nothing overwrites it while it is typed; leaving the field puts back the cart’s quantity', () => {
    const { lines, field } = show(cartWith([['A', 2], ['B', 3]]));
    type(field('A'), '12');
    lines.view = cartWith([['A', 4], ['B', 5]]);
    flushSync();
    expect(field('A').value).toBe('12');
    expect(field('B').value).toBe('5');
    leave(field('A'));
    expect(field('A').value).toBe('4');
    expect(lines.calls.revert).toEqual(['A']);
    // Leaving a field nobody typed in takes nothing back.
    field('B').focus();
    leave(field('B'));
    expect(lines.calls.revert).toEqual(['A']);
  });

  it('a refused value stays typed with the reason; Esc then puts back the quantity', async () => {
    const { lines, field } = show(cartWith([['A', 2]]), async () => false);
    type(field('A'), 'abc');
    press(field('A'), 'Enter');
    expect(lines.calls.refuse).toEqual([['A', expect.stringMatching(/“abc” is not a quantity/)]]);
    expect(lines.calls.set).toEqual([]);
    expect(field('A').value).toBe('abc');
    type(field('A'), '0');
    press(field('A'), 'Enter');
    await settle();
    expect(lines.calls.set).toEqual([['A', 0]]);
    expect(field('A').value).toBe('0');
    expect(press(field('A'), 'Escape')).toBe(true);
    expect(field('A').value).toBe('2');
    expect(lines.calls.revert).toEqual(['A']);
    // Esc with nothing typed is not the field's to take.
    expect(press(field('A'), 'Escape')).toBe(false);
  });

  it('Enter on the quantity the line already has sends nothing', () => {
    const { lines, field } = show(cartWith([['A', 2]]));
    type(field('A'), ' 2 ');
    press(field('A'), 'Enter');
    expect(lines.calls.set).toEqual([]);
    lines.view = cartWith([['A', 3]]);
    flushSync();
    expect(field('A').value).toBe('3');
  });

  it('a line removed while typed into comes back later with the cart’s quantity', () => {
    const { lines, field } = show(cartWith([['A', 2], ['B', 3]]));
    type(field('A'), '9');
    lines.view = cartWith([['B', 3]]);
    flushSync();
    lines.view = cartWith([['A', 5], ['B', 3]]);
    flushSync();
    expect(field('A').value).toBe('5');
  });
});

describe('the focus', () => {
  it('moves from a focused − that turns off to the quantity beside it', async () => {
    const { lines, control, field } = show(cartWith([['A', 2]]));
    control('A', 'qty-dec').focus();
    expect(document.activeElement).toBe(control('A', 'qty-dec'));
    lines.view = cartWith([['A', 1]]);
    flushSync();
    await settle();
    expect(document.activeElement).toBe(field('A'));
  });

  it('moves off every button the past turns off, and leaves an enabled one alone', async () => {
    const { lines, control, field } = show(cartWith([['A', 2], ['B', 2]]));
    control('B', 'qty-inc').focus();
    lines.view = cartWith([['A', 3], ['B', 2]]);
    flushSync();
    await settle();
    expect(document.activeElement).toBe(control('B', 'qty-inc'));
    lines.frozen = VIEWING_PAST;
    flushSync();
    await settle();
    expect(document.activeElement).toBe(field('B'));
  });
});

describe('lineTarget', () => {
  it('names the line and the control an event reached, and nothing else', () => {
    const { target, line, control } = show(cartWith([['A', 2]]));
    const inc = control('A', 'qty-inc');
    expect(lineTarget(inc.firstChild)).toBeUndefined(); // a text node is no element
    expect(lineTarget(inc)).toEqual({ sku: 'A', action: 'qty-inc', element: inc });
    expect(lineTarget(line('A'))).toBeUndefined();
    expect(lineTarget(line('A').querySelector('.line-name'))).toBeUndefined();
    expect(lineTarget(target)).toBeUndefined();
    expect(lineTarget(null)).toBeUndefined();
  });
});
