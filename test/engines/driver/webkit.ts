// WebKitGTK's MiniBrowser through webdriverio over WebKitWebDriver (classic WebDriver), on an
// Xvfb display of its own. A profile is a WebDriver session (and a driver of its own): each
// MiniBrowser --automation runs an ephemeral session, so two are two devices — and nothing
// outlives one.
import type { EngineDriver, Key, Profile, Tab } from './types.ts';
import { WAIT_MS, waitInPage } from './types.ts';
import { miniBrowserCapabilities, startDisplay, startWebKitDriver } from '../webkit/processes.ts';

const keys: Record<Key, string> = {
  Enter: '\uE007',
  Escape: '\uE00C',
  Tab: '\uE004',
  ArrowLeft: '\uE012',
  ArrowRight: '\uE014',
};

async function profileOf(port: number): Promise<Profile> {
  const { remote } = await import('webdriverio');
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'error',
    waitforTimeout: WAIT_MS,
    capabilities: miniBrowserCapabilities(),
  });
  // Classic WebDriver talks to one window at a time: every call first makes its tab current.
  let current = await browser.getWindowHandle();
  let firstTabFree = true;
  const tabs = new Set<string>();

  function tabOf(handle: string): Tab {
    const on = async () => {
      if (current !== handle) await browser.switchToWindow(handle);
      current = handle;
    };
    const element = async (selector: string) => {
      await on();
      await waitInPage({ evaluate: (script, arg) => browser.execute(script as never, arg) as never }, selector);
      return browser.$(selector);
    };
    // In the page is not yet clickable: a dialog opening, a button enabling a frame later.
    // WebKitWebDriver then refuses the click ("element not interactable") instead of waiting.
    const clickable = async (selector: string) => {
      const target = await element(selector);
      await target.waitForClickable({ timeout: WAIT_MS, timeoutMsg: `${selector} was not clickable within ${WAIT_MS / 1000} s` });
      return target;
    };
    return {
      async evaluate(script, arg) {
        await on();
        return (await browser.execute(script as never, arg)) as never;
      },
      async click(selector) {
        await (await clickable(selector)).click();
      },
      async type(selector, text) {
        // The field of a dialog just opened is as unready as its buttons (seen: sync-url, once in a run).
        const field = await clickable(selector);
        await field.click();
        await browser.execute((css) => (document.querySelector(css) as HTMLInputElement).select(), selector);
        // Element Send Keys, not key actions: WebKitWebDriver's actions lose a key pressed twice
        // in a row ("http://" arrives as "htp:/").
        await field.addValue(text);
      },
      async press(key) {
        await on();
        await browser.keys([keys[key]]);
      },
      async resize(width, height) {
        // Classic WebDriver sizes the window, toolbar and all: size it, then grow it by what the
        // page came up short.
        await on();
        await browser.setWindowSize(width, height);
        const inner = await browser.execute(() => [innerWidth, innerHeight]);
        await browser.setWindowSize(width + width - inner[0]!, height + height - inner[1]!);
      },
      async goto(url) {
        await on();
        await browser.url(url);
      },
      async reload() {
        await on();
        await browser.refresh();
      },
      async close() {
        await on();
        tabs.delete(handle);
        if (tabs.size === 0) {
          // A session cannot lose its last window: leave it blank for the next open().
          await browser.url('about:blank');
          firstTabFree = true;
          return;
        }
        await browser.closeWindow();
        current = [...tabs][0]!;
        await browser.switchToWindow(current);
      },
    };
  }

  return {
    async open(url) {
      let handle = current;
      if (firstTabFree) firstTabFree = false;
      else {
        // MiniBrowser opens tabs with createWindow('tab'); newWindow() does not work there.
        handle = (await browser.createWindow('tab')).handle;
        await browser.switchToWindow(handle);
        current = handle;
      }
      tabs.add(handle);
      const tab = tabOf(handle);
      await tab.goto(url);
      return tab;
    },
    async close() {
      await browser.deleteSession();
    },
  };
}

export async function webkitDriver(): Promise<EngineDriver> {
  const display = await startDisplay();
  const drivers = new Set<{ stop: () => Promise<void> }>();
  return {
    name: 'webkit',
    // WebKitWebDriver serves one session at a time: a second device needs a driver of its own.
    async profile() {
      const driver = await startWebKitDriver(display.display);
      drivers.add(driver);
      const profile = await profileOf(driver.port).catch(async (error) => {
        await driver.stop();
        throw error;
      });
      return {
        open: profile.open,
        async close() {
          await profile.close().catch(() => {});
          drivers.delete(driver);
          await driver.stop();
        },
      };
    },
    async close() {
      for (const driver of drivers) await driver.stop();
      await display.stop();
    },
  };
}
