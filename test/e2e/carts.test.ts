// Several carts on one device, in the built app: starting, switching, renaming and archiving
// carts, other tabs following along, and the storage line.
import { describe, expect, it } from 'vitest';
import { baseUrl, eventually, itemAt, lineSkus, skusAt, switcherIds, textOf, useBrowser } from './cart-page.ts';
import { lookAt } from './look.ts';

const browser = useBrowser();

describe('several carts', () => {
  it('starts a second cart and switches back and forth; the lines follow; the choice survives a reload', async () => {
    const page = await browser.open();
    const switcher = page.getByTestId('cart-switcher');
    const [a, b] = (await skusAt(page, [0, 20])) as [string, string];
    const first = await switcher.inputValue();
    await itemAt(page, a).getByTestId('add-to-cart').click();
    await eventually(() => lineSkus(page)).toEqual([a]);

    await page.getByTestId('new-cart').click();
    await eventually(() => switcherIds(page)).toHaveLength(2);
    await eventually(() => switcher.inputValue()).not.toBe(first);
    const second = await switcher.inputValue();
    await textOf(page.getByTestId('cart-count')).toBe('0');
    await itemAt(page, b).getByTestId('add-to-cart').click();
    await itemAt(page, b).getByTestId('add-to-cart').click();
    await eventually(() => lineSkus(page)).toEqual([b]);

    await switcher.selectOption(first);
    await eventually(() => lineSkus(page)).toEqual([a]);
    await textOf(page.getByTestId('cart-count')).toBe('1');
    await switcher.selectOption(second);
    await eventually(() => lineSkus(page)).toEqual([b]);
    await textOf(page.getByTestId('cart-count')).toBe('2');

    // There is one new-cart, and only one, whatever the cart's state.
    expect(await page.getByTestId('new-cart').count()).toBe(1);
    await page.reload();
    await eventually(() => switcher.inputValue()).toBe(second);
    await eventually(() => lineSkus(page)).toEqual([b]);
  });

  it('renames through the rules: a refused name shows error-message and changes nothing', async () => {
    const page = await browser.open();
    const name = page.getByTestId('cart-name');
    const error = page.getByTestId('error-message');

    await page.getByTestId('cart-rename').click();
    await name.fill('Weekend party');
    await name.press('Enter');
    await textOf(name).toBe('Weekend party');
    await eventually(() => page.getByTestId('cart-switcher').locator('option:checked').textContent()).toMatch(/^Weekend party/);

    await page.getByTestId('cart-rename').click();
    await name.fill('   ');
    await name.press('Enter');
    await textOf(error).toMatch(/name/i);
    await name.fill('x'.repeat(81));
    await page.getByTestId('cart-rename').click(); // the same button saves while the field is open
    await textOf(error).toMatch(/at most 80 characters/);
    await name.press('Escape');
    await textOf(name).toBe('Weekend party');

    // A checked-out cart keeps its name: the action is disabled and says why.
    const [sku] = (await skusAt(page, [3])) as [string];
    await itemAt(page, sku).getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('error-message').count()).toBe(0);
    await page.getByTestId('checkout').click();
    await textOf(page.getByTestId('cart-status')).toBe('checked-out');
    expect(await page.getByTestId('cart-rename').isDisabled()).toBe(true);
    expect(await page.getByTestId('cart-rename').getAttribute('title')).toMatch(/checked out/);
    expect(await page.getByTestId('cart-archive').isDisabled()).toBe(false);
  });

  it('archiving asks first, hides the cart from the switcher and moves to the latest open cart, or a new one', async () => {
    const page = await browser.open();
    const switcher = page.getByTestId('cart-switcher');
    const first = await switcher.inputValue();
    // The default cart is opened by its first change; untouched, there is nothing to archive.
    expect(await page.getByTestId('cart-archive').isDisabled()).toBe(true);
    expect(await page.getByTestId('cart-archive').getAttribute('title')).toMatch(/no change yet/);
    const [sku] = (await skusAt(page, [4])) as [string];
    await itemAt(page, sku).getByTestId('add-to-cart').click();
    await textOf(page.getByTestId('cart-count')).toBe('1');

    // Cancel keeps it, and the focus goes back to Archive.
    await page.getByTestId('cart-archive').click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('archive-confirm').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('cart-archive');
    await page.getByTestId('new-cart').click();
    await eventually(() => switcherIds(page)).toHaveLength(2);
    await eventually(() => switcher.inputValue()).not.toBe(first);
    const second = await switcher.inputValue();

    await page.getByTestId('cart-archive').click();
    await page.getByTestId('archive-confirm').click();
    await eventually(() => switcherIds(page)).toEqual([first]);
    await eventually(() => switcher.inputValue()).toBe(first);
    await textOf(page.getByTestId('cart-status')).toBe('open');

    // No open cart is left: a new one is opened and shown.
    await page.getByTestId('cart-archive').click();
    await page.getByTestId('archive-confirm').click();
    await eventually(() => switcherIds(page)).not.toContain(first);
    expect(await switcherIds(page)).toHaveLength(1);
    await eventually(() => switcher.inputValue()).not.toBe(first);
    const third = await switcher.inputValue();
    expect([first, second]).not.toContain(third);

    await page.reload();
    await eventually(() => switcherIds(page)).toEqual([third]);
  });

  it('follows carts opened and archived in another tab', async () => {
    const first = await browser.open();
    const second = await browser.context().newPage();
    await second.goto(baseUrl);
    await eventually(() => switcherIds(second)).toHaveLength(1);
    const [initial] = await switcherIds(second);

    await first.getByTestId('new-cart').click();
    await eventually(() => switcherIds(second)).toHaveLength(2);
    const opened = (await switcherIds(second)).find((id) => id !== initial)!;

    // The other tab shows the cart this one archives: it moves on by itself.
    await second.getByTestId('cart-switcher').selectOption(opened);
    await textOf(second.getByTestId('cart-count')).toBe('0');
    await first.getByTestId('cart-archive').click();
    await first.getByTestId('archive-confirm').click();
    await eventually(() => switcherIds(second)).not.toContain(opened);
    await eventually(() => second.getByTestId('cart-switcher').inputValue()).not.toBe(opened);
    await textOf(second.getByTestId('cart-status')).toBe('open');
  });
});

describe('the page says what the device is doing', () => {
  it('shows storage used and available', async () => {
    const page = await browser.open();
    await textOf(page.getByTestId('storage-usage')).toMatch(/\d.* of \d.*used/);
  });

  it('shows a lasting banner with a reload button when another tab upgrades the database', async () => {
    const page = await browser.open();
    const other = await browser.context().newPage();
    // The same origin as the app, so the same IndexedDB.
    await other.goto(`${baseUrl}/v1/health`);
    await other.evaluate(
      () =>
        new Promise<void>((done, fail) => {
          const request = indexedDB.open('cartlog', 10_000);
          request.onsuccess = () => (request.result.close(), done());
          request.onerror = () => fail(request.error);
        }),
    );
    const banner = page.getByTestId('upgraded-banner');
    await textOf(banner).toMatch(/Reload this tab/);
    expect(await banner.getByRole('button', { name: 'Reload' }).isVisible()).toBe(true);
  });

  it('says it is opening the cart while another tab keeps the database from opening, then shows it', async () => {
    const page = await browser.open();
    const other = await browser.context().newPage();
    await other.goto(`${baseUrl}/v1/health`);
    await page.goto(`${baseUrl}/v1/health`);
    // An older version of the database, held by a tab that ignores requests to close it: the
    // page's open (which upgrades it) waits until that tab lets go.
    await other.evaluate(
      () =>
        new Promise<void>((done, fail) => {
          const deleted = indexedDB.deleteDatabase('cartlog');
          deleted.onerror = () => fail(deleted.error);
          deleted.onsuccess = () => {
            const request = indexedDB.open('cartlog', 20);
            request.onerror = () => fail(request.error);
            request.onsuccess = () => {
              (window as unknown as { held: IDBDatabase }).held = request.result;
              done();
            };
          };
        }),
    );
    await page.goto(baseUrl);
    await page.getByText('Opening your cart…').waitFor();
    expect(await page.getByTestId('cart-status').count()).toBe(0);
    await lookAt(page, 'opening');

    await other.evaluate(() => (window as unknown as { held: IDBDatabase }).held.close());
    await textOf(page.getByTestId('cart-status')).toBe('open');
    await textOf(page.getByTestId('cart-count')).toBe('0');
  });
});
