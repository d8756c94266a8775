// Firefox ESR through puppeteer-core over WebDriver BiDi: a browser per run, a user context
// (its own storage) per profile.
import type { Browser, BrowserContext } from 'puppeteer-core';
import { launchFirefox } from '../firefox/launch.ts';
import { pageTab } from './page-tab.ts';
import type { EngineDriver, Profile } from './types.ts';
import { WAIT_MS } from './types.ts';

function profileOf(context: BrowserContext | Browser, close: () => Promise<void>): Profile {
  return {
    async open(url) {
      const page = await context.newPage();
      await page.goto(url);
      page.setDefaultTimeout(WAIT_MS);
      return pageTab(page, (width, height) => page.setViewport({ width, height }));
    },
    close,
  };
}

export async function firefoxDriver(): Promise<EngineDriver> {
  const browser = await launchFirefox();
  return {
    name: 'firefox',
    async profile() {
      const context = await browser.createBrowserContext();
      return profileOf(context, () => context.close());
    },
    async persistentProfile(dir) {
      const own = await launchFirefox({ userDataDir: dir });
      return profileOf(own, () => own.close());
    },
    close: () => browser.close(),
  };
}
