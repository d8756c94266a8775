// A device: Debian's Chromium on an on-disk profile, started by the suite itself (so the suite
// holds its process and can SIGKILL it) and driven over CDP with Playwright. Restarting reopens
// the same profile, as a user reopening the browser after a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright';
import { chromiumArgs, chromiumPath } from '../../chromium.ts';
import { reapOnExit } from './reaper.ts';

export interface Device {
  readonly profileDir: string;
  /** The profile's (only) context: its tabs share IndexedDB, localStorage and BroadcastChannel. */
  context: () => BrowserContext;
  /** SIGKILL to the browser and every process it started: no unload, no flush, no goodbye. */
  kill: () => Promise<void>;
  /** Starts the browser again on the same profile. */
  restart: () => Promise<void>;
  /** Closes the browser and deletes the profile. */
  dispose: () => Promise<void>;
}

export interface DeviceOptions {
  /** Extra Chromium flags (e.g. host resolver rules). */
  args?: string[];
}

const DEVTOOLS = /DevTools listening on (ws:\/\/\S+)/;

export async function launchDevice(options: DeviceOptions = {}): Promise<Device> {
  const profileDir = mkdtempSync(join(tmpdir(), 'cartlog-chaos-profile-'));
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  async function start() {
    const spawned = spawn(
      chromiumPath(),
      [...chromiumArgs, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, '--no-default-browser-check', ...(options.args ?? []), 'about:blank'],
      // A process group of its own, so a kill takes the renderers and the storage service with it.
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = spawned;
    const forget = reapOnExit(spawned.pid!, true);
    spawned.once('exit', forget);
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${seen.slice(-2000)}`)), 60_000);
      spawned.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = DEVTOOLS.exec(seen);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      spawned.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before it listened: ${seen.slice(-2000)}`)));
    });
    spawned.stderr!.resume();
    browser = await chromium.connectOverCDP(endpoint);
    context = browser.contexts()[0]!;
    // A wait that cannot succeed fails with its step named instead of hanging the test.
    context.setDefaultTimeout(30_000);
  }

  async function kill() {
    const was = child;
    child = undefined;
    if (!was?.pid) return;
    const gone = new Promise<void>((done) => (was.exitCode !== null || was.signalCode !== null ? done() : was.once('exit', () => done())));
    try {
      process.kill(-was.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone;
    await browser?.close().catch(() => {});
    browser = undefined;
    context = undefined;
  }

  await start();
  return {
    profileDir,
    context: () => {
      if (!context) throw new Error('the device is not running');
      return context;
    },
    kill,
    restart: start,
    async dispose() {
      await browser?.close().catch(() => {});
      await kill();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
