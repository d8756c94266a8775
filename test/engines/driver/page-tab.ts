// Playwright's Page and puppeteer's Page agree on everything a journey needs, so Chromium and
// Firefox share one Tab over either.
import type { Key, Tab } from './types.ts';

/** The part of a Playwright or puppeteer Page a Tab uses. */
export interface ScriptedPage {
  bringToFront(): Promise<void>;
  evaluate(script: never, arg: unknown): Promise<unknown>;
  locator(selector: string): { click(): Promise<unknown> };
  keyboard: { type(text: string): Promise<void>; press(key: Key): Promise<void> };
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  close(): Promise<void>;
}

export function pageTab(page: ScriptedPage, resize: Tab['resize']): Tab {
  // A user acts in the tab in front. Firefox paints no frames in a background tab, and
  // puppeteer's click waits for frames to see the element settle.
  const front = () => page.bringToFront();
  const evaluate: Tab['evaluate'] = (script, arg) => page.evaluate(script as never, arg) as never;
  return {
    evaluate,
    async click(selector) {
      await front();
      await page.locator(selector).click();
    },
    async type(selector, text) {
      await front();
      await page.locator(selector).click();
      await evaluate((css) => document.querySelector<HTMLInputElement>(css)!.select(), selector);
      await page.keyboard.type(text);
    },
    async press(key) {
      await front();
      await page.keyboard.press(key);
    },
    resize,
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    close: () => page.close(),
  };
}
