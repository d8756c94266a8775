// The one origin users run: the built app as static files, and the sync API under /v1.
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';

export interface AppOptions {
  /** The Vite build output (dist/). */
  staticDir: string;
  /** Receives one line per request; tests pass a no-op. */
  log?: (line: string) => void;
}

// Files under assets/ carry a content hash in their name, so they can be cached for good. Every
// other file (index.html, sw.js, the manifest) names the current build and must be revalidated,
// or a deploy would never reach users.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export function createApp({ staticDir, log = console.log }: AppOptions): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    log(`${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
  });

  app.route('/v1', api());

  app.use(async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', c.req.path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
  });
  app.use(serveStatic({ root: staticDir }));

  app.onError((error, c) => {
    console.error(error);
    return c.json({ error: 'internal', message: 'The server failed to handle this request.' }, 500);
  });
  return app;
}

function api(): Hono {
  const v1 = new Hono();
  v1.get('/health', (c) => c.json({ ok: true }));

  // Sync endpoints go here (CONTRACT §5): the bearer-token middleware over the data routes, then
  // POST /push and GET /pull. /health stays outside the auth middleware.

  v1.all('*', (c) => c.json({ error: 'not_found', message: `No endpoint ${c.req.method} ${c.req.path}.` }, 404));
  return v1;
}
