// The real sync server as a child process (`node --import tsx src/server/cli.ts serve`), on a
// port picked free and kept across restarts, with its data in a folder the test owns: so a test
// can kill it -9, wipe or restore its files, and start it again where the devices expect it.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../../../src/server/token.ts';
import type { ConfirmedEvent, PullResponse } from '../../../src/sync/protocol.ts';
import { appRoot } from './app.ts';
import { reapOnExit } from './reaper.ts';
import { until } from './wait.ts';

export interface SyncServer {
  /** Its base URL (the app and `/v1` on one origin, as `npm start` serves them). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Every line it printed so far (push and pull requests among them). */
  readonly output: string[];
  token: (userId: string) => Promise<string>;
  /** SIGKILL: no shutdown, whatever was in flight. */
  kill: () => Promise<void>;
  /** SIGTERM, waiting for its exit. */
  stop: () => Promise<void>;
  /**
   * Starts it again on the same port and data folder — from `root` when given (another release's
   * snapshot, app.ts: a rollback serves it on the same origin), else from the suite's app.
   */
  start: (root?: string) => Promise<void>;
  /** Its copy of a user's log, read through /v1/pull as a device would. */
  log: (token: string) => Promise<ConfirmedEvent[]>;
}

export interface ServerOptions {
  /** Extra origins allowed to call it (a page served by another server). */
  corsOrigins?: string[];
  /** The host name the page uses for it, e.g. shop.test mapped to 127.0.0.1. */
  host?: string;
}

const SECRET = 'chaos-secret-for-this-run-only';

export async function startServer(options: ServerOptions = {}): Promise<SyncServer> {
  const root = await appRoot();
  const dataDir = join(mkdtempSync(join(tmpdir(), 'cartlog-chaos-server-')), 'data');
  const port = await freePort();
  const output: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(from = root) {
    mkdirSync(dataDir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CARTLOG_SECRET: SECRET,
      CORS_ORIGINS: (options.corsOrigins ?? []).join(','),
    };
    // SQLite in a folder of its own: the scenarios copy, wipe and restore its files.
    delete env.DATABASE_URL;
    const spawned = spawn(process.execPath, ['--import', 'tsx', join(from, 'src', 'server', 'cli.ts'), 'serve'], {
      cwd: from,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    spawned.once('exit', reapOnExit(spawned.pid!, false));
    const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
    spawned.stdout!.on('data', collect);
    spawned.stderr!.on('data', collect);
    exited = new Promise((done) => spawned.once('exit', () => done()));
    await until(`the server on port ${port} answers /v1/health`, () => healthy(port, spawned));
  }

  async function end(signal: NodeJS.Signals) {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    child = undefined;
  }

  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  await start();
  return {
    url,
    port,
    dataDir,
    output,
    token: (userId) => mintToken(userId, SECRET),
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    start,
    log: (token) => pullAll(`http://127.0.0.1:${port}`, token),
  };
}

async function healthy(port: number, child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it listened`);
  try {
    return (await fetch(`http://127.0.0.1:${port}/v1/health`)).ok;
  } catch {
    return false;
  }
}

/** Every event of the token's user, in position order. */
export async function pullAll(base: string, token: string): Promise<ConfirmedEvent[]> {
  const events: ConfirmedEvent[] = [];
  let after = 0;
  for (;;) {
    const response = await fetch(`${base}/v1/pull?after=${after}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`pull answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as PullResponse;
    events.push(...page.events);
    if (!page.more || page.events.length === 0) return events;
    after = page.events.at(-1)!.position;
  }
}

/** A port nothing listens on now: bound to 0, read, released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Copies the server's files while it is stopped (SQLite and its WAL), to restore later. */
export function backup(server: SyncServer): string {
  const copy = mkdtempSync(join(tmpdir(), 'cartlog-chaos-backup-'));
  cpSync(server.dataDir, copy, { recursive: true });
  return copy;
}

/** Puts a backup's files back in place of the server's (while it is stopped). */
export function restore(server: SyncServer, copy: string): void {
  rmSync(server.dataDir, { recursive: true, force: true });
  cpSync(copy, server.dataDir, { recursive: true });
}

/** The server forgot everything (while it is stopped). */
export function wipe(server: SyncServer): void {
  rmSync(server.dataDir, { recursive: true, force: true });
}
