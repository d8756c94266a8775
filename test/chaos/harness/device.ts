// A device: Debian's Chromium on an on-disk profile, started by the suite itself (so the suite
// holds its process and can SIGKILL it) and driven over CDP with Playwright. Restarting reopens
// the same profile, as a user reopening the browser after a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  /** Where the profile's folder is made (default the temp dir), e.g. on a small tmpfs. */
  profileParent?: string;
  /** Runs on the browser's context each time it starts, before any page (e.g. ShownRecord.attach). */
  onStart?: (context: BrowserContext) => Promise<void>;
}

/** Waits until no living (non-zombie) process is left in process group `pgid` (Linux /proc). */
async function groupGone(pgid: number, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const left = readdirSync('/proc').filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the ")" that ends the command name: state, ppid, pgrp, …
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(group) === pgid && state !== 'Z';
      } catch {
        return false; // it ended while we looked
      }
    });
    if (left.length === 0) return;
    if (Date.now() - started > timeoutMs) throw new Error(`processes ${left.join(', ')} of the killed browser still run after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const DEVTOOLS = /DevTools listening on (ws:\/\/\S+)/;

export async function launchDevice(options: DeviceOptions = {}): Promise<Device> {
  const profileDir = mkdtempSync(join(options.profileParent ?? tmpdir(), 'cartlog-chaos-profile-'));
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
    // What the browser says of its storage (a database it could not open, or wiped) is printed:
    // it is the first thing to read when a restarted profile comes back with less than it had.
    spawned.stderr!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (/indexed_?db|leveldb/i.test(line)) console.log(`chaos device: ${line.trim()}`);
    });
    browser = await chromium.connectOverCDP(endpoint);
    context = browser.contexts()[0]!;
    // A wait that cannot succeed fails with its step named instead of hanging the test.
    context.setDefaultTimeout(30_000);
    await options.onStart?.(context);
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
    // The browser process exiting is not the crash being over: its renderers and storage service
    // die a moment later. A browser restarted while the old storage service still holds the
    // profile's IndexedDB files is two browsers on one profile, which no user's restart is.
    await groupGone(was.pid);
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
