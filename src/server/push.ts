// POST /v1/push (CONTRACT §5). By the time this runs, auth, size and rate are checked; what is
// left is 400 (the body), then the storage's verdict: 401 (deleted meanwhile), 403, 409, 507, or
// the positions.
import type { Context, Handler } from 'hono';
import { parsePushBody, type PushResponse } from '../sync/protocol.ts';
import { checkPushedCartEvent } from './cart-events.ts';
import { callerOf, fail, type AppEnv } from './context.ts';
import type { PushRejection, Storage } from './storage/types.ts';

export interface PushSettings {
  /** New events a user may store in all (USER_QUOTA). */
  quota?: number;
}

export function pushHandler(storage: Storage, { quota }: PushSettings = {}): Handler<AppEnv> {
  return async (c) => {
    const body = c.get('body');
    if (!body.ok) return fail(c, 400, 'invalid_request', `The body is not valid JSON: ${body.reason}`, { field: 'body' });
    const request = parsePushBody(body.json, checkPushedCartEvent);
    if (!request.ok) return c.json(request.error, request.error.error === 'too_large' ? 413 : 400);
    const { events } = request.value;
    const outcome = await storage.push(callerOf(c), events, { quota });
    if (!outcome.ok) return refuse(c, outcome.rejection, outcome.log);
    const answer: PushResponse = { events: events.map(({ id }, i) => ({ id, position: outcome.positions[i]! })), head: outcome.head, log: outcome.log };
    return c.json(answer);
  };
}

function refuse(c: Context, rejection: PushRejection, log: string | undefined): Response {
  switch (rejection.kind) {
    case 'revoked':
      return fail(c, 401, 'unauthorized', 'This user’s server copy was deleted after the token was issued: get a new token.');
    case 'forbidden': {
      const { index, streamId } = rejection;
      return fail(c, 403, 'forbidden', `Stream ${streamId} belongs to another user.`, { index, streamId });
    }
    case 'id_conflict': {
      const { index, id } = rejection;
      return fail(c, 409, 'id_conflict', `Event ${id} is already stored with other content.`, { index, id, log });
    }
    case 'version_conflict': {
      const { index, streamId, expectedVersion, receivedVersion } = rejection;
      const message = `Stream ${streamId} takes version ${expectedVersion} next; events[${index}] has version ${receivedVersion}. Pull, rebase and push again.`;
      return fail(c, 409, 'version_conflict', message, { index, streamId, expectedVersion, receivedVersion, log });
    }
    case 'quota_exceeded': {
      const { limit } = rejection;
      return fail(c, 507, 'quota_exceeded', `A user may store at most ${limit} events; this push would go past that. Nothing of it was stored.`, { limit });
    }
  }
}
