// The build is a static app: any plain static host serves it from any sub-path, with every
// request staying under that path and the service worker scoped to it. Deploying a new build
// there reaches open tabs as an update banner; reloading moves them to it with the cart intact.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './browser.ts';

const PREFIX = '/shop/cartlog/';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

interface StaticHost {
  url: string;
  /** Paths of every request the host received, whatever asked (page or service worker). */
  requests: string[];
  close(): Promise<void>;
}

/** A plain static host: `dir` under PREFIX, nothing anywhere else. */
async function host(dir: string): Promise<StaticHost> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url!, 'http://host').pathname;
    requests.push(path);
    if (!path.startsWith(PREFIX)) return void response.writeHead(404).end();
    const file = normalize(join(dir, decodeURIComponent(path.slice(PREFIX.length)) || 'index.html'));
    if (!file.startsWith(dir)) return void response.writeHead(404).end();
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

let browser: Browser;
let context: BrowserContext;
let site: StaticHost;
const temp = mkdtempSync(join(tmpdir(), 'cartlog-subpath-'));

beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  await context?.close();
  await site?.close();
});
afterAll(async () => {
  await browser?.close();
  rmSync(temp, { recursive: true, force: true });
});

/** Waits until the service worker controls the page; returns its scope and script URL. */
function controllingWorker(page: Page): Promise<{ scope: string; script: string }> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((taken) => navigator.serviceWorker.addEventListener('controllerchange', taken, { once: true }));
    }
    return { scope: registration.scope, script: navigator.serviceWorker.controller!.scriptURL };
  });
}

const firstSku = (page: Page) => page.getByTestId('catalog-item').first().getAttribute('data-sku') as Promise<string>;
const lineQty = (page: Page, sku: string) =>
  expect.poll(() => page.locator(`[data-testid="cart-line"][data-sku="${sku}"]`).getByTestId('line-qty').inputValue());

describe('served from a sub-path of a static host', () => {
  it('works, keeps every request under the sub-path and scopes the service worker to it', async () => {
    site = await host(inject('distDir'));
    context = await browser.newContext();
    const page = await context.newPage();
    const pageRequests: string[] = [];
    context.on('request', (request) => pageRequests.push(request.url()));

    await page.goto(site.url);
    expect(await controllingWorker(page)).toEqual({ scope: site.url, script: `${site.url}sw.js` });

    const sku = await firstSku(page);
    await page.getByTestId('add-to-cart').first().click();
    await lineQty(page, sku).toBe('1');
    await page.reload();
    await lineQty(page, sku).toBe('1');

    // The manifest names the app's folder, wherever that is, and its icons are there.
    const manifestUrl = new URL((await page.locator('link[rel="manifest"]').getAttribute('href'))!, site.url).href;
    const manifest = (await (await page.request.get(manifestUrl)).json()) as {
      start_url: string;
      scope: string;
      icons: { src: string }[];
    };
    expect(new URL(manifest.start_url, manifestUrl).href).toBe(site.url);
    expect(new URL(manifest.scope, manifestUrl).href).toBe(site.url);
    expect(manifest.icons.length).toBeGreaterThanOrEqual(3);
    for (const icon of manifest.icons) {
      const response = await page.request.get(new URL(icon.src, manifestUrl).href);
      expect(response.status(), icon.src).toBe(200);
    }

    expect(site.requests.length).toBeGreaterThan(5);
    expect(site.requests.filter((path) => !path.startsWith(PREFIX))).toEqual([]);
    expect(pageRequests.filter((url) => !url.startsWith(site.url))).toEqual([]);
  });

  it('offers a newly deployed version; Reload moves every open tab to it, cart intact', async () => {
    const dir = join(temp, 'update');
    cpSync(inject('distDir'), dir, { recursive: true });
    site = await host(dir);
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(site.url);
    await controllingWorker(page);
    const sku = await firstSku(page);
    await page.getByTestId('add-to-cart').first().click();
    await lineQty(page, sku).toBe('1');
    const other = await context.newPage();
    await other.goto(site.url);
    await lineQty(other, sku).toBe('1');

    // Deploy "version 2": a changed index.html, and the sw.js whose precache names it.
    const build = '<meta name="cartlog-test-build" content="2" />';
    const html = readFileSync(join(dir, 'index.html'), 'utf8').replace('</head>', `${build}</head>`);
    writeFileSync(join(dir, 'index.html'), html);
    const revision = createHash('md5').update(html).digest('hex');
    const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
    const changed = sw.replace(/(\{url:"index\.html",revision:")[0-9a-f]+"/, `$1${revision}"`);
    expect(changed).not.toBe(sw);
    writeFileSync(join(dir, 'sw.js'), changed);

    const isNewBuild = (tab: Page) => expect.poll(() => tab.locator('meta[name="cartlog-test-build"]').count(), { timeout: 15_000 });
    expect(await page.getByTestId('app-update').count()).toBe(0);
    await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
    await expect.poll(() => page.getByTestId('app-update').textContent()).toMatch(/A new version of cartlog is ready/);
    // "Later" hides the banner in that tab; it still follows when another tab reloads.
    await other.getByTestId('app-update-later').click();
    await expect.poll(() => other.getByTestId('app-update').count()).toBe(0);

    await page.getByTestId('app-update-reload').click();
    await isNewBuild(page).toBe(1);
    await isNewBuild(other).toBe(1);
    for (const tab of [page, other]) {
      await lineQty(tab, sku).toBe('1');
      expect(await tab.getByTestId('app-update').count()).toBe(0);
    }
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).waiting)).toBeNull();

    // The new version is what the service worker now serves offline.
    await context.setOffline(true);
    await page.reload();
    await isNewBuild(page).toBe(1);
    await lineQty(page, sku).toBe('1');
  });
});
