// Where tests and the bench find Chromium. We never download one: Debian's `chromium` package
// (or CHROMIUM_PATH) is the browser; test/run.mjs installs it when missing. The other engines
// are found the same way (test/engines/binaries.ts).
import { existsSync } from 'node:fs';
import { binaries, pathOf } from './engines/binaries.ts';

export function chromiumPath(): string {
  return pathOf(binaries.chromium);
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
