// The app as `npm start` serves it, one instance per journey file or per journey that stops it:
// its own data folder, on a free loopback port that a restart keeps, so the page's sync URL and
// the service worker's origin stay the same across it.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from '../../src/server/app.ts';
import { mintToken } from '../../src/server/token.ts';

export interface JourneyServer {
  origin: string;
  /** A sync token for user `journey` on this server. */
  token: () => Promise<string>;
  /** Stops answering: connections refused, as when the machine is offline or the server is down. */
  stop: () => Promise<void>;
  /** Starts again on the same port with the same data. */
  start: () => Promise<void>;
  /** Stops it and deletes its data. */
  dispose: () => Promise<void>;
}

export async function startServer(staticDir: string): Promise<JourneyServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cartlog-journey-data-'));
  const secret = `journeys-${process.pid}-${Date.now()}`;
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: undefined };
  let port = 0;
  let running: { stop: () => Promise<void> } | undefined;

  async function start() {
    if (running) return;
    const app = createApp({ staticDir, log: () => {}, secret, env });
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port });
    await new Promise<void>((ready, fail) => server.once('listening', ready).once('error', fail));
    port = (server.address() as AddressInfo).port;
    running = {
      async stop() {
        await app.close();
        // Held connections (long-polls, keep-alive) would keep close() waiting: a stopped server drops them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((done) => server.close(() => done()));
      },
    };
  }

  async function stop() {
    const was = running;
    running = undefined;
    await was?.stop();
  }

  await start();
  return {
    origin: `http://127.0.0.1:${port}`,
    token: () => mintToken('journey', secret),
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
