// `npm start` and `npm run token`: one entry so both read the same DATA_DIR and secret.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadSecret } from './secret.ts';
import { mintToken } from './token.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'dist');
const dataDir = resolve(process.env.DATA_DIR || 'data');
const USAGE = 'usage: cli.ts serve | cli.ts token <userId>';

async function main([command, ...args]: string[]): Promise<void> {
  if (command === 'serve') return start();
  if (command === 'token' && args[0]) {
    console.log(await mintToken(args[0], loadSecret(dataDir)));
    return;
  }
  console.error(command === 'token' ? 'usage: npm run token -- <userId>' : USAGE);
  process.exitCode = 2;
}

async function start(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const demoToken = await mintToken('demo', loadSecret(dataDir));
  if (isStale()) {
    console.log('cartlog: building the app (dist/ is missing or older than its sources)…');
    const { build } = await import('vite');
    await build({ root, logLevel: 'warn' });
  }
  const host = process.env.HOST || '127.0.0.1';
  const port = Number(process.env.PORT || 8787);
  const app = createApp({ staticDir: dist });
  const server = serve({ fetch: app.fetch, hostname: host, port }, () => {
    console.log(`cartlog listening on http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    console.log(`sync token for user demo: ${demoToken}`);
  });
  server.on('error', (error) => {
    console.error(`cartlog: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });

  // Later, held pulls are answered here too, before the server closes (CONTRACT §5).
  const stop = (signal: string) => {
    console.log(`cartlog: ${signal}, closing`);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref(); // don't wait forever on a stuck client
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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
