// Cutting the outbox into pushes the server takes: at most MAX_PUSH_EVENTS events and
// MAX_BODY_BYTES of body each, and never a command split across two pushes — a push is atomic,
// so a command is then either wholly upstream or not at all, and a rebase never finds half of one.
import type { EventEnvelope } from '../../es/envelope.ts';
import { MAX_BODY_BYTES, MAX_PUSH_EVENTS, type PushRequest } from '../protocol.ts';

const encoder = new TextEncoder();
const bytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/**
 * The longest run of whole commands from the start of `outbox` that fits one push. A single
 * command over the limits goes alone (the server's 413 then says why it cannot sync).
 */
export function nextPush(outbox: readonly EventEnvelope[], deviceId: string, limits = { events: MAX_PUSH_EVENTS, bytes: MAX_BODY_BYTES }): PushRequest {
  // `{"deviceId":"…","events":[]}` plus a comma between events.
  let size = bytes({ deviceId, events: [] });
  const events: EventEnvelope[] = [];
  for (const command of commands(outbox)) {
    const added = command.reduce((sum, e) => sum + bytes(e) + 1, 0);
    if (events.length && (events.length + command.length > limits.events || size + added > limits.bytes)) break;
    events.push(...command);
    size += added;
  }
  return { deviceId, events };
}

/** Runs of events of one stream and one command id, in outbox order. */
function* commands(outbox: readonly EventEnvelope[]): Generator<EventEnvelope[]> {
  let run: EventEnvelope[] = [];
  for (const event of outbox) {
    const last = run[run.length - 1];
    if (last && (last.streamId !== event.streamId || last.meta.commandId !== event.meta.commandId)) {
      yield run;
      run = [];
    }
    run.push(event);
  }
  if (run.length) yield run;
}
