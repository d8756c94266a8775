// The engine-neutral driver: what a journey may do with a browser, the same in Chromium
// (Playwright), Firefox (puppeteer-core over WebDriver BiDi) and WebKitGTK (webdriverio over
// WebKitWebDriver). Everything a journey reads goes through `evaluate`, so the checks are written
// once; clicks, typing and keys go through each driver's input, so the page sees trusted events.
import type { EngineName } from '../binaries.ts';

export type Key = 'Enter' | 'Escape' | 'Tab' | 'ArrowLeft' | 'ArrowRight';

export interface Tab {
  /** Runs `script` in the page (it must not close over anything) with one JSON argument. */
  evaluate<A, R>(script: (arg: A) => R | Promise<R>, arg: A): Promise<Awaited<R>>;
  /** Clicks the first element matching the CSS selector, waiting for it to be there. */
  click(selector: string): Promise<void>;
  /** Focuses the field, selects what it holds and types `text` over it, key by key. */
  type(selector: string, text: string): Promise<void>;
  /** Presses a key where the focus is. */
  press(key: Key): Promise<void>;
  /** Sets the page's viewport (the window's, where the engine only sizes windows) to width × height CSS px. */
  resize(width: number, height: number): Promise<void>;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** One user's browser storage: tabs of one profile share IndexedDB, locks and channels. */
export interface Profile {
  open(url: string): Promise<Tab>;
  close(): Promise<void>;
}

export interface EngineDriver {
  name: EngineName;
  /** A fresh, empty profile. */
  profile(): Promise<Profile>;
  /**
   * A profile kept in `dir`, so that closing the browser and opening `dir` again is a browser
   * restart. Undefined where the engine cannot keep one (engineGaps says why).
   */
  persistentProfile?: (dir: string) => Promise<Profile>;
  close(): Promise<void>;
}

export const WAIT_MS = 20_000;

/** Polls `ready` in the page until it is true; fails naming `what` instead of hanging. */
export async function waitInPage(tab: Pick<Tab, 'evaluate'>, selector: string, what = selector): Promise<void> {
  const started = Date.now();
  for (;;) {
    const found = await tab.evaluate((css) => document.querySelector(css) !== null, selector);
    if (found) return;
    if (Date.now() - started > WAIT_MS) throw new Error(`${what} did not appear within ${WAIT_MS / 1000} s`);
    await new Promise((wait) => setTimeout(wait, 100));
  }
}
