// What the server holds a pushed event to (CONTRACT §5): the envelope of §2, a cart stream id,
// and the per-event rules of §3 — no cart state, no catalog. Taken from cart/events.ts rather
// than cart/carts.ts, which would pull Dexie into the server.
import { isCartStreamId, validateCartEvent } from '../cart/events.ts';
import type { EventEnvelope } from '../es/envelope.ts';
import { checkEnvelope } from '../es/validate.ts';
import { withoutPosition, type EventCheck } from '../sync/protocol.ts';

export const checkPushedCartEvent: EventCheck = withoutPosition((event) => {
  const problem = checkEnvelope(event);
  if (problem) return problem;
  const { streamId, type, schemaVersion, data } = event as EventEnvelope;
  if (!isCartStreamId(streamId)) return { field: 'streamId', reason: 'must be a cart stream id: cart-<lowercase uuid>' };
  const result = validateCartEvent(type, schemaVersion, data);
  return result.ok ? null : { field: result.field, reason: result.reason };
});
