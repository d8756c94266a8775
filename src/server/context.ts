// What the middleware hands on to the handlers of one request.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody, type ErrorCode } from '../sync/protocol.ts';

export type ReadBody = { ok: true; json: unknown } | { ok: false; reason: string };

export interface AppEnv {
  Variables: {
    /** The token's `sub`, set by auth. */
    userId: string;
    /** The token's `iat` (seconds), when it has one: tokens older than a deletion are refused. */
    issuedAt: number | undefined;
    /** The push body, read within the size limit. */
    body: ReadBody;
    /** Set when the client went away before its request arrived in full: nobody hears the answer. */
    aborted: boolean;
  };
}

/** The caller as the storage knows them. */
export function callerOf(c: Context<AppEnv>): { userId: string; issuedAt?: number } {
  return { userId: c.get('userId'), issuedAt: c.get('issuedAt') };
}

/** An error answer in the one shape of CONTRACT §5. */
export function fail(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, details?: Record<string, unknown>): Response {
  return c.json(errorBody(code, message, details), status);
}
