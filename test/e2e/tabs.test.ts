// Two tabs of one profile working on the same cart at the same moment: nothing is lost, and both
// end up showing the same cart.
import { describe, expect, it } from 'vitest';
import { baseUrl, eventually, itemAt, lineOf, skusAt, textOf, useBrowser, valueOf } from './cart-page.ts';

const browser = useBrowser();

describe('two tabs', () => {
  it('lose no click when both change the same cart at once', async () => {
    const first = await browser.open();
    const second = await browser.context().newPage();
    await second.goto(baseUrl);
    await textOf(second.getByTestId('cart-count')).toBe('0');

    const [sku, other] = await skusAt(first, [2, 30]);
    await itemAt(first, sku!).getByTestId('add-to-cart').click();
    await valueOf(lineOf(second, sku!).getByTestId('line-qty')).toBe('1');

    // Ten "+" in each tab, fired without waiting for the other, plus adds of another product.
    const presses = (page: typeof first, n: number) =>
      Promise.all(Array.from({ length: n }, () => lineOf(page, sku!).getByTestId('qty-inc').dispatchEvent('click')));
    await Promise.all([
      presses(first, 10),
      presses(second, 10),
      itemAt(first, other!).getByTestId('add-to-cart').dispatchEvent('click'),
      itemAt(second, other!).getByTestId('add-to-cart').dispatchEvent('click'),
    ]);

    for (const page of [first, second]) {
      await valueOf(lineOf(page, sku!).getByTestId('line-qty')).toBe('21');
      await valueOf(lineOf(page, other!).getByTestId('line-qty')).toBe('2');
      await textOf(page.getByTestId('cart-count')).toBe('23');
    }
    await eventually(() => first.getByTestId('error-message').count()).toBe(0);
    expect(await first.getByTestId('cart-total').getAttribute('data-cents')).toBe(await second.getByTestId('cart-total').getAttribute('data-cents'));
  });
});
