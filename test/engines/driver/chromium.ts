// Chromium through Playwright: a browser per run, a context per profile.
import type { Browser, BrowserContext } from 'playwright';
import { chromiumArgs, chromiumPath } from '../../chromium.ts';
import { pageTab } from './page-tab.ts';
import type { EngineDriver, Profile } from './types.ts';
import { WAIT_MS } from './types.ts';

function profileOf(context: BrowserContext, closeAlso?: () => Promise<void>): Profile {
  context.setDefaultTimeout(WAIT_MS);
  return {
    async open(url) {
      const page = await context.newPage();
      await page.goto(url);
      return pageTab(page, (width, height) => page.setViewportSize({ width, height }));
    },
    async close() {
      await context.close();
      await closeAlso?.();
    },
  };
}

export async function chromiumDriver(): Promise<EngineDriver> {
  const { chromium } = await import('playwright');
  const options = { executablePath: chromiumPath(), args: chromiumArgs, headless: true };
  const browser: Browser = await chromium.launch(options);
  return {
    name: 'chromium',
    profile: async () => profileOf(await browser.newContext()),
    persistentProfile: async (dir) => profileOf(await chromium.launchPersistentContext(dir, options)),
    close: () => browser.close(),
  };
}
