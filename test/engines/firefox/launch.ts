// Debian ships no geckodriver (and its npm installer downloads one), so Firefox is driven by
// puppeteer-core over WebDriver BiDi, which Firefox speaks itself.
import type { Browser } from 'puppeteer-core';
import { binaries, pathOf } from '../binaries.ts';

export async function launchFirefox(options: { userDataDir?: string } = {}): Promise<Browser> {
  // Loaded on first use: vite.config.ts reaches this file, and most projects never launch Firefox.
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: pathOf(binaries.firefox),
    headless: true,
    ...(options.userDataDir ? { userDataDir: options.userDataDir } : {}),
    extraPrefsFirefox: {
      // The closed network: no update, telemetry or safe-browsing traffic to wait for.
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
    },
  });
}
