// Where the three engines live. We never download a browser: each comes from a Debian package
// (or an env override). test/run.mjs installs what is missing when it can and otherwise says in
// one line how to; the providers and drivers only read the paths.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const engineNames: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export interface Binary {
  /** What it is, for messages. */
  what: string;
  /** The env variable that overrides the path. */
  env: string;
  /** Where Debian's package puts it. */
  defaultPath: string;
  /** The Debian package that brings it. */
  debPackage: string;
}

// MiniBrowser sits under the multiarch folder (x86_64-linux-gnu, aarch64-linux-gnu, …).
function miniBrowserDefault(): string {
  const fallback = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
  try {
    for (const dir of readdirSync('/usr/lib')) {
      const candidate = join('/usr/lib', dir, 'webkit2gtk-4.1', 'MiniBrowser');
      if (dir.endsWith('-linux-gnu') && existsSync(candidate)) return candidate;
    }
  } catch {
    // No /usr/lib to look in: the fallback names what is missing.
  }
  return fallback;
}

export const binaries = {
  chromium: { what: 'Chromium', env: 'CHROMIUM_PATH', defaultPath: '/usr/bin/chromium', debPackage: 'chromium' },
  firefox: { what: 'Firefox ESR', env: 'FIREFOX_PATH', defaultPath: '/usr/bin/firefox-esr', debPackage: 'firefox-esr' },
  webkitDriver: { what: 'WebKitWebDriver', env: 'WEBKIT_DRIVER_PATH', defaultPath: '/usr/bin/WebKitWebDriver', debPackage: 'webkit2gtk-driver' },
  miniBrowser: { what: 'MiniBrowser (WebKitGTK)', env: 'MINIBROWSER_PATH', defaultPath: miniBrowserDefault(), debPackage: 'webkit2gtk-driver' },
  xvfb: { what: 'Xvfb', env: 'XVFB_PATH', defaultPath: '/usr/bin/Xvfb', debPackage: 'xvfb' },
} satisfies Record<string, Binary>;

/** What each engine needs on the machine. */
export const engineBinaries: Record<EngineName, Binary[]> = {
  chromium: [binaries.chromium],
  firefox: [binaries.firefox],
  webkit: [binaries.webkitDriver, binaries.miniBrowser, binaries.xvfb],
};

export function pathOf(binary: Binary): string {
  return process.env[binary.env] || binary.defaultPath;
}

/** The binaries of `engine` that are not there. */
export function missingFor(engine: EngineName): Binary[] {
  return engineBinaries[engine].filter((binary) => !existsSync(pathOf(binary)));
}

/** One line on how to get what is missing. */
export function installHint(engine: EngineName, missing: Binary[] = missingFor(engine)): string {
  const packages = [...new Set(missing.map((binary) => binary.debPackage))].join(' ');
  const overrides = missing.map((binary) => `${binary.env} (${binary.what})`).join(', ');
  return `${engine} tests need ${missing.map((binary) => binary.what).join(', ')}: apt-get install ${packages}, or set ${overrides}.`;
}

/**
 * The engines to test: CARTLOG_ENGINES (comma-separated, e.g. "firefox" or "chromium,webkit")
 * or all three. test/run.mjs sets it from --engine=.
 */
export function selectedEngines(): EngineName[] {
  const wanted = process.env.CARTLOG_ENGINES?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!wanted?.length) return [...engineNames];
  const unknown = wanted.filter((name) => !engineNames.includes(name as EngineName));
  if (unknown.length) throw new Error(`unknown engine ${unknown.join(', ')}: choose from ${engineNames.join(', ')}`);
  return engineNames.filter((name) => wanted.includes(name));
}
