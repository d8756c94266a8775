// Vitest browser-mode providers for the two engines Playwright cannot drive from Debian's
// packages. Chromium keeps @vitest/browser-playwright.
import { webdriverio, type WebdriverBrowserProvider } from '@vitest/browser-webdriverio';
import type { Browser, Page } from 'puppeteer-core';
import type { BrowserProvider, BrowserProviderOption, TestProject } from 'vitest/node';
import { launchFirefox } from '../firefox/launch.ts';
import { miniBrowserCapabilities, startDisplay, startWebKitDriver } from '../webkit/processes.ts';

// The browser server factory vitest's own providers use (defineBrowserProvider adds it).
const { serverFactory } = webdriverio();

/**
 * Firefox ESR through puppeteer-core over WebDriver BiDi: one browser, one tab per vitest
 * session. The tests drive the DOM themselves, so no userEvent commands are registered.
 */
export function firefoxBidi(): BrowserProviderOption {
  return {
    name: 'firefox-bidi',
    supportedBrowser: ['firefox'],
    options: {},
    serverFactory,
    providerFactory: () => firefoxProvider(),
  };
}

function firefoxProvider(): BrowserProvider {
  let browser: Promise<Browser> | undefined;
  const pages = new Map<string, Page>();
  return {
    name: 'firefox-bidi',
    supportsParallelism: false,
    getCommandsContext: (sessionId) => ({ page: pages.get(sessionId) }),
    async openPage(sessionId, url) {
      browser ??= launchFirefox();
      const page = pages.get(sessionId) ?? (await (await browser).newPage());
      pages.set(sessionId, page);
      await page.goto(url);
    },
    async close() {
      const open = browser;
      browser = undefined;
      pages.clear();
      await (await open)?.close();
    },
  };
}

/**
 * WebKitGTK's MiniBrowser through WebKitWebDriver, with @vitest/browser-webdriverio doing the
 * work. It only knows chrome/firefox/edge/safari and sets browserName to one of them; WebKitWebDriver
 * wants 'MiniBrowser' and its own options, and needs a display (Xvfb) and a running driver.
 */
export function webkitGtk(): BrowserProviderOption {
  const base = webdriverio({ logLevel: 'silent' });
  return {
    ...base,
    name: 'webkitgtk',
    supportedBrowser: ['webkit'],
    providerFactory(project: TestProject): BrowserProvider {
      const provider = base.providerFactory(project) as unknown as WebdriverBrowserProvider;
      const internals = provider as unknown as {
        options: Record<string, unknown>;
        buildCapabilities: () => WebdriverIO.Capabilities;
      };
      let stops: (() => Promise<void>)[] = [];
      const openBrowser = provider.openBrowser.bind(provider);
      const close = provider.close.bind(provider);
      internals.buildCapabilities = () => miniBrowserCapabilities();
      provider.openBrowser = async () => {
        if (!provider.browser) {
          const display = await startDisplay();
          const driver = await startWebKitDriver(display.display);
          stops = [driver.stop, display.stop];
          Object.assign(internals.options, { hostname: '127.0.0.1', port: driver.port });
        }
        return openBrowser();
      };
      provider.close = async () => {
        await close();
        for (const stop of stops.splice(0)) await stop();
      };
      return provider as unknown as BrowserProvider;
    },
  };
}
