// `npm start`, `npm run token` and `delete-user`: one entry so all read the same DATA_DIR,
// database and secret.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { readConfig, type ServerConfig } from './config.ts';
import { loadSecret } from './secret.ts';
import { serveUntilSignal } from './serve.ts';
import { describeStorage, openStorage } from './storage/index.ts';
import { mintToken } from './token.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'dist');
const USAGE = 'usage: cli.ts serve | cli.ts token <userId> | cli.ts delete-user <userId>';

async function main([command, ...args]: string[]): Promise<void> {
  const config = readConfig();
  if (command === 'serve') return start(config);
  if (command === 'token' && args[0]) {
    console.log(await mintToken(args[0], loadSecret(config.dataDir)));
    return;
  }
  if (command === 'delete-user' && args[0]) return deleteUser(config, args[0]);
  console.error(command === 'token' ? 'usage: npm run token -- <userId>' : command === 'delete-user' ? 'usage: cli.ts delete-user <userId>' : USAGE);
  process.exitCode = 2;
}

/** Removes one user's log and streams (e.g. on request under the GDPR) and refuses their older tokens. Others' logs are untouched. */
async function deleteUser(config: ServerConfig, userId: string): Promise<void> {
  const storage = await openStorage(config);
  try {
    const count = await storage.deleteUser(userId);
    console.log(`cartlog: deleted ${count} event${count === 1 ? '' : 's'} of user ${userId} from ${describeStorage(config)}; tokens issued before now are refused (mint a new one with npm run token)`);
  } finally {
    await storage.close();
  }
}

async function start(config: ServerConfig): Promise<void> {
  mkdirSync(config.dataDir, { recursive: true });
  const secret = loadSecret(config.dataDir);
  const demoToken = await mintToken('demo', secret);
  const storage = await openStorage(config);
  if (isStale()) {
    console.log('cartlog: building the app (dist/ is missing or older than its sources)…');
    await buildApp();
  }
  const { host, port } = config;
  const app = createApp({ staticDir: dist, storage, secret });
  let server: Awaited<ReturnType<typeof serveUntilSignal>>;
  try {
    server = await serveUntilSignal({ app, storage, host, port });
  } catch (error) {
    console.error(`cartlog: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`cartlog listening on http://${host.includes(':') ? `[${host}]` : host}:${server.address.port}`);
  console.log(`sync log: ${describeStorage(config)}`);
  console.log(`sync token for user demo: ${demoToken}`);
}

/**
 * Builds dist/ in a child process: Vite and Rollup would otherwise stay in this process's heap for
 * its whole life (hundreds of MB), while a server needs about a hundred.
 */
function buildApp(): Promise<void> {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`building the app failed (${signal ?? `exit ${code}`})`))));
  });
}

/** True when dist/ must be (re)built: no build yet, or a source of the app changed since. */
function isStale(): boolean {
  const built = mtime(join(dist, 'index.html'));
  if (built === undefined) return true;
  const sources = [
    ...files(join(root, 'src')).filter((file) => !file.startsWith(join(root, 'src', 'server') + sep)),
    ...files(join(root, 'public')),
    join(root, 'index.html'),
    join(root, 'vite.config.ts'),
  ];
  return sources.some((file) => (mtime(file) ?? 0) > built);
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`cartlog: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
