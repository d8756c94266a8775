// A server process's life: listen, serve, and on SIGTERM or SIGINT shut down cleanly — no new
// connections, held pulls answered at once, every connection closed as soon as its request ends
// (Connection: close), the storage closed (its last commit is already durable), exit 0.
import type { CartlogApp } from './app.ts';
import { listenHttp, type HttpOptions, type HttpServer } from './http.ts';
import type { Storage } from './storage/index.ts';

/** How long a shutdown may wait for requests in flight before it gives up on them (exit 1). */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ServeOptions extends Omit<HttpOptions, 'fetch'> {
  app: CartlogApp;
  storage: Storage;
}

export async function serveUntilSignal({ app, storage, ...http }: ServeOptions): Promise<HttpServer> {
  const server = await listenHttp({ ...http, fetch: app.fetch });
  const stop = async (signal: string) => {
    console.log(`cartlog: ${signal}, closing`);
    setTimeout(() => {
      console.error('cartlog: requests still running after the grace period; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    // Draining first, so the answers to held pulls already say Connection: close.
    const drained = server.drain();
    await app.close();
    await drained;
    await storage.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return server;
}
