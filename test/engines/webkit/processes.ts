// WebKitGTK has no headless mode: MiniBrowser needs an X display, and WebKitWebDriver must be
// running before webdriverio can ask it for a session. Both are started here, on a display and a
// port nobody else uses, and stopped with the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { binaries, pathOf } from '../binaries.ts';

export interface Running {
  stop: () => Promise<void>;
}

const children = new Set<ChildProcess>();
// A run that dies on an error must not leave an Xvfb or a driver behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): Running {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return {
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * An X display of its own: Xvfb picks a free number and writes it to fd 3 (-displayfd). Wider
 * than the widest viewport a journey asks for: a window 1280 px wide inside, plus its frame, does
 * not fit a 1280 px screen, and X then keeps it narrower (the desktop axe journey skipped itself).
 */
export async function startDisplay(): Promise<Running & { display: string }> {
  const child = spawn(pathOf(binaries.xvfb), ['-displayfd', '3', '-screen', '0', '1920x1200x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const running = track(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const display = await new Promise<string>((ready, fail) => {
    child.stdio[3]!.once('data', (chunk) => ready(`:${String(chunk).trim()}`));
    child.once('exit', (code) => fail(new Error(`Xvfb exited (${code}) before it had a display: ${stderr.trim().split('\n').at(-1)}`)));
    child.once('error', fail);
  });
  return { ...running, display };
}

function freePort(): Promise<number> {
  return new Promise((found, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => found(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** WebKitWebDriver on a free loopback port, showing its browsers on `display`. */
export async function startWebKitDriver(display: string): Promise<Running & { port: number }> {
  // The port is free when asked and taken a moment later: another process may win it in between,
  // so a driver that exits at once is tried again on another port.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(pathOf(binaries.webkitDriver), [`--port=${port}`, '--host=127.0.0.1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DISPLAY: display },
    });
    const running = track(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const started = Date.now();
    while (child.exitCode === null && Date.now() - started < 20_000) {
      if (await answers(`http://127.0.0.1:${port}/status`)) return { ...running, port };
      await new Promise((wait) => setTimeout(wait, 100));
    }
    await running.stop();
    if (attempt === 3) throw new Error(`WebKitWebDriver did not answer on port ${port}: ${stderr.trim() || 'no output'}`);
  }
}

/** What WebKitWebDriver needs to start MiniBrowser under automation. */
export function miniBrowserCapabilities(): WebdriverIO.Capabilities {
  return {
    browserName: 'MiniBrowser',
    // WebKitWebDriver speaks classic WebDriver; webdriverio 9 would try BiDi first.
    'wdio:enforceWebDriverClassic': true,
    'webkitgtk:browserOptions': { binary: pathOf(binaries.miniBrowser), args: ['--automation'] },
  } as WebdriverIO.Capabilities;
}
