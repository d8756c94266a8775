// CORS for the sync API (CONTRACT §5): only the origins in CORS_ORIGINS; by default none, so the
// app on its own origin is the only browser client. Hono's cors() would send Allow-Methods to any
// origin's pre-flight, which the contract rules out, hence these few lines.
import type { MiddlewareHandler } from 'hono';

export function cors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return async (c, next) => {
    const origin = c.req.header('origin');
    const isAllowed = origin !== undefined && allowed.has(origin);
    if (c.req.method === 'OPTIONS') {
      // A pre-flight carries no token, so it is answered before auth.
      const headers = new Headers({ Vary: 'Origin' });
      if (isAllowed) {
        headers.set('Access-Control-Allow-Origin', origin);
        headers.set('Access-Control-Allow-Methods', 'GET, POST');
        headers.set('Access-Control-Allow-Headers', 'authorization, content-type');
        headers.set('Access-Control-Max-Age', '600');
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    c.res.headers.append('Vary', 'Origin');
    if (isAllowed) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      // A client on another origin must read Retry-After to back off from a 429.
      c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
    }
  };
}
