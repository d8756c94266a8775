// e2e tests launch Debian's Chromium; playwright never downloads a browser here.
import { chromium, type Browser } from 'playwright';
import { chromiumArgs, chromiumPath } from '../chromium.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
}
