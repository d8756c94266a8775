// The one origin users run: the built app as static files, and the sync API under /v1.
import { Hono, type MiddlewareHandler } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { bearerAuth } from './auth.ts';
import { readConfig, type Env } from './config.ts';
import { fail, type AppEnv } from './context.ts';
import { cors } from './cors.ts';
import { bodyLimit, declaredSize, eventRate, requestRate, uploadsInFlight } from './limits.ts';
import { requestLine } from './log-line.ts';
import { pullHandler } from './pull.ts';
import { pushHandler } from './push.ts';
import { loadSecret } from './secret.ts';
import { lazyStorage, openStorage, type Storage } from './storage/index.ts';
import { createWaiters } from './waiters.ts';

export interface AppOptions {
  /** The Vite build output (dist/). */
  staticDir: string;
  /** Receives one line per request; tests pass a no-op. */
  log?: (line: string) => void;
  /**
   * The upstream log; its owner closes it. Without one, the app opens one on first use as
   * `npm start` would (DATABASE_URL, else SQLite in DATA_DIR), and close() closes it.
   */
  storage?: Storage;
  /** The token key; default CARTLOG_SECRET or the data folder's, read on first use. */
  secret?: string;
  /** Requests per second per user; default RATE_LIMIT or 100. */
  rateLimit?: number;
  /** Pushed events per second per user; default EVENT_RATE_LIMIT or 10,000. */
  eventRateLimit?: number;
  /** New events a user may store; default USER_QUOTA or 1,000,000. */
  userQuota?: number;
  /** Origins allowed to call /v1 from a browser; default CORS_ORIGINS. */
  corsOrigins?: string[];
  /** Where the defaults come from; default process.env. */
  env?: Env;
}

export type CartlogApp = Hono<AppEnv> & {
  /**
   * Shuts the API down: answers held pulls at once, lets requests in flight finish, then closes
   * the storage the app opened itself. Later data requests get 503.
   */
  close(): Promise<void>;
};

// Files under assets/ carry a content hash in their name, so they can be cached for good. Every
// other file (index.html, sw.js, the manifest) names the current build and must be revalidated,
// or a deploy would never reach users.
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Longer request targets are refused (414): no endpoint needs more, and they only fill logs. */
export const MAX_URL_LENGTH = 8192;
const REVALIDATE = 'no-cache';

export function createApp(options: AppOptions): CartlogApp {
  const { staticDir, log = console.log } = options;
  const config = readConfig(options.env);
  const storage = options.storage ?? lazyStorage(() => openStorage(config));
  let secret = options.secret;
  const waiters = createWaiters((listener) => storage.onCommit(listener));
  const app = new Hono<AppEnv>();

  let inFlight = 0;
  let idle: (() => void) | undefined;
  app.use(async (c, next) => {
    const started = performance.now();
    inFlight++;
    try {
      await next();
    } finally {
      if (--inFlight === 0) idle?.();
    }
    // The path as sent (still percent-encoded), never the decoded one.
    const path = c.req.url.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/[?#].*$/s, '');
    const outcome = c.get('aborted') || c.req.raw.signal.aborted ? 'aborted' : c.res.status;
    log(requestLine({ method: c.req.method, path, outcome, ms: performance.now() - started, userId: c.get('userId') }));
  });
  app.use(async (c, next) => {
    if (c.req.url.length > MAX_URL_LENGTH) return fail(c, 414, 'uri_too_long', `A request URL may be at most ${MAX_URL_LENGTH} characters.`);
    await next();
  });

  let closing: Promise<void> | undefined;
  let closed = false;
  const api = new Hono<AppEnv>();
  api.use(cors(options.corsOrigins ?? config.corsOrigins));
  api.get('/health', (c) => c.json({ ok: true }));
  const open: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (closed) return fail(c, 503, 'unavailable', 'The server is shutting down.');
    await next();
  };
  const auth = bearerAuth(
    () => (secret ??= loadSecret(config.dataDir, options.env)),
    (caller) => storage.revoked(caller),
  );
  const rate = requestRate(options.rateLimit ?? config.rateLimit);
  const quota = options.userQuota ?? config.userQuota;
  // CONTRACT §5's order: 401, then 413 and 429 from the headers, then 413 and 429 from the body, then 400 and on.
  api.post('/push', open, auth, declaredSize(), rate, uploadsInFlight(), bodyLimit(), eventRate(options.eventRateLimit ?? config.eventRateLimit), pushHandler(storage, { quota }));
  api.get('/pull', open, auth, rate, pullHandler(storage, waiters));
  api.all('*', (c) => fail(c, 404, 'not_found', `No endpoint ${c.req.method} ${c.req.path}.`));
  app.route('/v1', api);

  app.use(async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', c.req.path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
  });
  app.use(serveStatic({ root: staticDir }));

  app.onError((error, c) => {
    // A client that went away mid-request is no server failure: logged as aborted, no stack.
    if (c.req.raw.signal.aborted) {
      c.set('aborted', true);
      return fail(c, 400, 'bad_request', 'The client went away.');
    }
    console.error(error);
    return fail(c, 500, 'internal', 'The server failed to handle this request.');
  });

  const close = () =>
    (closing ??= (async () => {
      waiters.close();
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      closed = true;
      if (!options.storage) await storage.close();
    })());
  return Object.assign(app, { close });
}
