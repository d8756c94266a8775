// POST /v1/push (CONTRACT §5). By the time this runs, auth, size and rate are checked; what is
// left is 400 (the body), then the storage's verdict: 403, 409, or the positions.
import type { Context, Handler } from 'hono';
import { parsePushBody, type PushResponse } from '../sync/protocol.ts';
import { checkPushedCartEvent } from './cart-events.ts';
import { fail, type AppEnv } from './context.ts';
import type { PushRejection, Storage } from './storage/types.ts';

export function pushHandler(storage: Storage): Handler<AppEnv> {
  return async (c) => {
    const body = c.get('body');
    if (!body.ok) return fail(c, 400, 'invalid_request', `The body is not valid JSON: ${body.reason}`, { field: 'body' });
    const request = parsePushBody(body.json, checkPushedCartEvent);
    if (!request.ok) return c.json(request.error, request.error.error === 'too_large' ? 413 : 400);
    const { events } = request.value;
    const outcome = await storage.push(c.get('userId'), events);
    if (!outcome.ok) return refuse(c, outcome.rejection);
    const answer: PushResponse = { events: events.map(({ id }, i) => ({ id, position: outcome.positions[i]! })), head: outcome.head };
    return c.json(answer);
  };
}

function refuse(c: Context, rejection: PushRejection): Response {
  switch (rejection.kind) {
    case 'forbidden': {
      const { index, streamId } = rejection;
      return fail(c, 403, 'forbidden', `Stream ${streamId} belongs to another user.`, { index, streamId });
    }
    case 'id_conflict': {
      const { index, id } = rejection;
      return fail(c, 409, 'id_conflict', `Event ${id} is already stored with other content.`, { index, id });
    }
    case 'version_conflict': {
      const { index, streamId, expectedVersion, receivedVersion } = rejection;
      const message = `Stream ${streamId} takes version ${expectedVersion} next; events[${index}] has version ${receivedVersion}. Pull, rebase and push again.`;
      return fail(c, 409, 'version_conflict', message, { index, streamId, expectedVersion, receivedVersion });
    }
  }
}
