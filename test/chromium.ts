// Where tests and the bench find the browser. We never download one: Debian's `chromium` package
// (or CHROMIUM_PATH) is the browser; test/run.mjs installs it when missing.
import { existsSync } from 'node:fs';

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export function hasChromium(): boolean {
  return existsSync(chromiumPath());
}

// Flags that work on this kind of machine: no sandbox as root, and no background traffic to a
// network that is closed.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
