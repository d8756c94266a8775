// Offline: after one online visit the service worker serves the app shell, so the app loads and
// works with the network off, across reloads — while the sync API (/v1) is never served by it.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { launchChromium } from './browser.ts';

let browser: Browser;
let context: BrowserContext;
let server: ReturnType<typeof serve>;
let origin: string;
/** Paths of the requests that reached the server. */
const served: string[] = [];

// The app as `npm start` serves it, in an instance of its own so the test sees every request.
beforeAll(async () => {
  const app = createApp({ staticDir: inject('distDir'), log: (line) => served.push(line.split(' ')[1]!) });
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((ready, fail) => server.once('listening', ready).once('error', fail));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await new Promise<void>((done) => server.close(() => done()));
});

/** Waits until the service worker controls the page; returns its script URL. */
function controllingWorker(page: Page): Promise<string> {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((taken) => navigator.serviceWorker.addEventListener('controllerchange', taken, { once: true }));
    }
    return navigator.serviceWorker.controller!.scriptURL;
  });
}

const item = (page: Page, row: number) => page.getByTestId('catalog-item').nth(row);
const line = (page: Page, sku: string) => page.locator(`[data-testid="cart-line"][data-sku="${sku}"]`);
const lineQty = (page: Page, sku: string) => expect.poll(() => line(page, sku).getByTestId('line-qty').inputValue());

describe('offline', () => {
  it('loads and works with the network off after one visit, across reloads', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    expect(await controllingWorker(page)).toBe(`${origin}/sw.js`);
    // Persistent storage is requested once per profile, once the shopper has a cart (and no sync).
    const persistAsked = () => page.evaluate(() => localStorage.getItem('cartlog:persist-asked'));
    expect(await persistAsked()).toBeNull();

    const a = (await item(page, 0).getAttribute('data-sku'))!;
    const b = (await item(page, 20).getAttribute('data-sku'))!;
    await item(page, 0).getByTestId('add-to-cart').click();
    await lineQty(page, a).toBe('1');
    await expect.poll(persistAsked).not.toBeNull();
    const askedAt = await persistAsked();

    served.length = 0;
    await context.setOffline(true);
    await page.reload();
    await lineQty(page, a).toBe('1');
    await item(page, 20).getByTestId('add-to-cart').click();
    await lineQty(page, b).toBe('1');

    await page.reload();
    await lineQty(page, a).toBe('1');
    await lineQty(page, b).toBe('1');
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('2');
    // Everything came from the service worker's cache: nothing reached the server.
    expect(served).toEqual([]);
    expect(await persistAsked()).toBe(askedAt);

    // The sync API is not in the cache: offline it fails like any network request.
    const health = await page.evaluate(() =>
      fetch('/v1/health').then(
        (response) => `status ${response.status}`,
        () => 'failed',
      ),
    );
    expect(health).toBe('failed');
    await context.setOffline(false);
    await page.close();
  });

  it('leaves /v1 to the network: no navigation fallback, no cache', async () => {
    // (The browser may also look for a new sw.js meanwhile; only /v1 requests matter here.)
    const sync = () => served.filter((path) => path.startsWith('/v1'));
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await controllingWorker(page);

    served.length = 0;
    const response = await page.goto(`${origin}/v1/health`);
    expect(response?.fromServiceWorker()).toBe(false);
    expect(await response?.json()).toEqual({ ok: true });
    expect(sync()).toEqual(['/v1/health']);

    await page.goto(`${origin}/`);
    await controllingWorker(page);
    served.length = 0;
    expect(await page.evaluate(() => fetch('/v1/health').then((r) => r.json()))).toEqual({ ok: true });
    expect(sync()).toEqual(['/v1/health']);
    await page.close();
  });
});
