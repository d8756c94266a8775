// The node side of the UI scenarios: a fresh browser profile per scenario with the probe in every
// page, the app opened on a given origin, and the probe's calls typed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright';
import { chromiumArgs, chromiumPath } from '../../chromium.ts';
import type { ScenarioOutput } from '../result.ts';
import type { Site } from '../site.ts';
import type * as ProbeApi from './probe.ts';
import type { SeedApi, Seeded } from './seed.ts';

export interface UiEnv {
  site: Site;
  /** Two origins (two ports) serving the same site: two separate live databases in one profile. */
  origins: readonly [string, string];
  /** --profile: a scenario may CPU-profile the app page over its measured part. */
  profile: boolean;
}

export type UiScenario = (env: UiEnv) => Promise<ScenarioOutput>;

/**
 * A fresh on-disk profile per scenario: each starts cold, with an empty live database. Service
 * workers are blocked, so every load is the app's own files from the server (never a cache a
 * worker filled: first-load JS is "before the worker installs" by construction) and a worker's
 * navigation fallback can never answer for a bench page.
 */
export async function withBrowser<T>(env: UiEnv, work: (context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'cartlog-bench-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: chromiumArgs,
    headless: true,
    serviceWorkers: 'block',
  });
  try {
    await context.addInitScript({ content: env.site.probe });
    return await work(context);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** The products clicked in turn: quantities stay far below the 99 cap ((20 + 100 + 50) / 12 < 15). */
export const LINES = 12;
/**
 * Each click lands on a settled app: the store's async projection (popularity) catches up 100 ms
 * after the last write, and its transaction would queue before the next command's.
 */
export const SETTLE_MS = 160;
/** Between a raw baseline's run and the next click. */
export const GAP_MS = 20;

export const COUNT = '[data-testid="cart-count"]';
export const ITEM = '[data-testid="catalog-item"]';

export type Control = (page: Page, sku: string) => Locator;
export const addToCart: Control = (page, sku) => page.locator(`${ITEM}[data-sku="${sku}"] [data-testid="add-to-cart"]`);
export const qtyInc: Control = (page, sku) => page.locator(`[data-testid="cart-line"][data-sku="${sku}"] [data-testid="qty-inc"]`);

export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`  page error (${url}): ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && console.error(`  console (${url}): ${message.text()}`));
  await page.goto(url);
  return page;
}

/** The app on `origin`, once its cart shows. */
/** Fills the app's live database on `origin` with `events` events, `current` of them the cart the app opens next (seed.ts). */
export async function seedLive(context: BrowserContext, origin: string, events: number, current = events): Promise<Seeded> {
  const seeder = await openPage(context, `${origin}/bench/ui/seed.html`);
  await seeder.waitForSelector('body[data-ready="true"]');
  const seeded = await seeder.evaluate(([e, c]) => (window as unknown as { seed: SeedApi }).seed.seedLive(e, c), [events, current] as const);
  await seeder.close();
  return seeded;
}

export async function openApp(context: BrowserContext, origin: string): Promise<Page> {
  const page = await openPage(context, `${origin}/`);
  await page.locator(COUNT).waitFor();
  return page;
}

/** The first `n` SKUs of the catalog as the page lists them. */
export const catalogSkus = async (page: Page, n: number): Promise<string[]> =>
  (await page.locator(ITEM).evaluateAll((items) => items.map((item) => item.getAttribute('data-sku')!))).slice(0, n);

type ProbeWindow = Window & { cartlogProbe: typeof ProbeApi };

/** probe.ts in `page`, one evaluate per call. */
export function probeOf(page: Page) {
  return {
    timeOrigin: () => page.evaluate(() => performance.timeOrigin),
    firstRender: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.firstRender()),
    expectOneMore: (sku: string, frame: boolean) =>
      page.evaluate(([s, f]) => (window as unknown as ProbeWindow).cartlogProbe.expectOneMore(s, { frame: f }), [sku, frame] as const),
    changed: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.changed()),
    floor: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.floor()),
    rawListen: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.rawListen()),
    expectRaw: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.expectRaw()),
    rawSend: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.rawSend()),
    rawReceived: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.rawReceived()),
    listenClock: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.listenClock()),
    ping: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.ping()),
    pings: () => page.evaluate(() => (window as unknown as ProbeWindow).cartlogProbe.pings()),
  };
}

export type Probe = ReturnType<typeof probeOf>;
export type Change = ProbeApi.Change;

/**
 * Clicks `control` of `sku` and returns when the DOM shows one more of it (probe.expectOneMore).
 * The click is plain input at the control's centre (page.mouse): Playwright's actionability
 * checks run before the probe is armed, so none of its own script runs in the page while a
 * change is being timed. `armAlso` arms other pages (other tabs) just before the click.
 */
export async function clickOneMore(page: Page, control: Control, sku: string, options: { frame?: boolean; armAlso?: () => Promise<unknown> } = {}): Promise<Change> {
  const probe = probeOf(page);
  const target = control(page, sku);
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error(`${sku}: no box to click`);
  await probe.expectOneMore(sku, options.frame ?? false);
  await options.armAlso?.();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const change = await probe.changed();
  if (!change.click) throw new Error(`${sku}: the page saw no click`);
  return change;
}
