// Upcasters turn an event stored at an older schemaVersion into the current shape as it is read.
// Stored events are never rewritten: the log keeps what was written, readers see today's shape.
import type { EventEnvelope } from './envelope.ts';

export interface Upcaster {
  type: string;
  /** Upcasts from this schemaVersion to fromVersion + 1. */
  fromVersion: number;
  upcast: (data: any) => unknown;
}

export type Upcast = (event: EventEnvelope) => EventEnvelope;

export function createUpcast(upcasters: readonly Upcaster[]): Upcast {
  if (upcasters.length === 0) return (event) => event;
  const byStep = new Map(upcasters.map((u) => [`${u.type}@${u.fromVersion}`, u]));
  return (event) => {
    let step = byStep.get(`${event.type}@${event.schemaVersion}`);
    if (!step) return event;
    let { data, schemaVersion } = event;
    while (step) {
      data = step.upcast(data);
      schemaVersion += 1;
      step = byStep.get(`${event.type}@${schemaVersion}`);
    }
    return { ...event, data, schemaVersion };
  };
}
