// What the middleware hands on to the handlers of one request.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody, type ErrorCode } from '../sync/protocol.ts';

export type ReadBody = { ok: true; json: unknown } | { ok: false; reason: string };

export interface AppEnv {
  Variables: {
    /** The token's `sub`, set by auth. */
    userId: string;
    /** The push body, read within the size limit. */
    body: ReadBody;
  };
}

/** An error answer in the one shape of CONTRACT §5. */
export function fail(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, details?: Record<string, unknown>): Response {
  return c.json(errorBody(code, message, details), status);
}
