// What the cart e2e tests share: one browser for the file, a fresh profile (context) per test,
// and the page's parts by their contract testids (CONTRACT §6).
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { launchChromium } from './browser.ts';

export const baseUrl = inject('baseUrl');

/** Call at the top of a test file; `open()` then gives a page on a profile of its own. */
export function useBrowser(): { open: (options?: BrowserContextOptions) => Promise<Page>; context: () => BrowserContext } {
  let browser: Browser;
  let context: BrowserContext | undefined;
  beforeAll(async () => void (browser = await launchChromium()));
  afterAll(async () => void (await browser?.close()));
  afterEach(async () => void (await context?.close()));
  return {
    async open(options = {}) {
      context = await browser.newContext(options);
      // A wait that cannot succeed fails with its step named instead of hanging the test.
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      await page.goto(baseUrl);
      await page.getByTestId('cart-status').waitFor();
      return page;
    },
    context: () => context!,
  };
}

export const eventually = <T>(read: () => Promise<T>) => expect.poll(read);
export const textOf = (locator: Locator) => eventually(() => locator.textContent());
/** A field's value as the shopper sees it (line-qty is an input, CONTRACT §6). */
export const valueOf = (locator: Locator) => eventually(() => locator.inputValue());
export const itemAt = (page: Page, sku: string) => page.locator(`[data-testid="catalog-item"][data-sku="${sku}"]`);
export const lineOf = (page: Page, sku: string) => page.locator(`[data-testid="cart-line"][data-sku="${sku}"]`);
export const lineSkus = (page: Page) => page.getByTestId('cart-line').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-sku')));
export const switcherIds = (page: Page) =>
  page.getByTestId('cart-switcher').locator('option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));

/** SKUs of catalog rows far apart, so they come from different categories. */
export function skusAt(page: Page, rows: number[]): Promise<string[]> {
  const items = page.getByTestId('catalog-item');
  return Promise.all(rows.map(async (row) => (await items.nth(row).getAttribute('data-sku'))!));
}

// The history panel (CONTRACT §6 history-*).
export const historyRows = (page: Page) => page.getByTestId('history-event');
export const rowAt = (page: Page, version: number) => page.locator(`[data-testid="history-event"][data-version="${version}"]`);
export const rowTypes = (page: Page) => historyRows(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
export const sliderValue = (page: Page) => page.getByTestId('history-slider').inputValue();
export const sliderMax = (page: Page) => page.getByTestId('history-slider').getAttribute('max');

export async function openHistory(page: Page): Promise<void> {
  await page.getByTestId('history-toggle').click();
  await historyRows(page).first().waitFor();
}

/** Moves the slider as a drag would: a new value, then the input event. */
export async function seek(page: Page, version: number): Promise<void> {
  await page.getByTestId('history-slider').evaluate((slider, value) => {
    (slider as HTMLInputElement).value = String(value);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  }, version);
  await eventually(() => sliderValue(page)).toBe(String(version));
  // The diff is rendered with the cart panel: once it names this version, the page shows it.
  await eventually(() => page.locator('#history-diff-heading').textContent()).toMatch(new RegExp(`^Version ${version}( ·|$)`));
}

export interface ShownCart {
  lines: [sku: string | null, quantity: string | null][];
  cents: string | null;
}

/** The cart panel's lines and total as shown (live or past). */
export async function shownCart(page: Page): Promise<ShownCart> {
  const lines = await page
    .getByTestId('cart-line')
    .evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-sku'), (row.querySelector('[data-testid="line-qty"]') as HTMLInputElement | null)?.value ?? null] as [string | null, string | null]));
  const total = page.getByTestId('cart-total');
  return { lines, cents: (await total.count()) ? await total.getAttribute('data-cents') : null };
}
