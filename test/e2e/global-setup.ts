// e2e tests drive what users get: a real Vite build served by the real app over a socket.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { createApp } from '../../src/server/app.ts';
import { mintToken } from '../../src/server/token.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The build the server serves; tests that need another host or a changed copy read it. */
    distDir: string;
    /** A sync token for the server at baseUrl (user `e2e`). */
    syncToken: string;
    /** The server's signing secret, for a test that needs a user of its own (mintToken). */
    syncSecret: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const temp = mkdtempSync(join(tmpdir(), 'cartlog-e2e-'));
  const outDir = join(temp, 'dist');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  await build({ root, build: { outDir, emptyOutDir: true }, logLevel: 'warn' });

  // The sync endpoints read DATA_DIR; give this run its own so no test sees another's data, and
  // keep it on SQLite even where DATABASE_URL is set (that is for the server's own suite).
  process.env.DATA_DIR = join(temp, 'data');
  const secret = 'e2e-secret-for-this-run-only';
  const app = createApp({ staticDir: outDir, log: () => {}, secret, env: { ...process.env, DATABASE_URL: undefined } });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((ready, fail) => server.once('listening', ready).once('error', fail));
  const { port } = server.address() as AddressInfo;
  project.provide('baseUrl', `http://127.0.0.1:${port}`);
  project.provide('distDir', outDir);
  project.provide('syncToken', await mintToken('e2e', secret));
  project.provide('syncSecret', secret);

  return async () => {
    await app.close();
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(temp, { recursive: true, force: true });
  };
}
