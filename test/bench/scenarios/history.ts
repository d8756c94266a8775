// The histories the scenarios share, generated once per page.
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { manyCarts } from '../fixtures.ts';

/** What one sync pull or import call hands the store. */
export const BATCH = 10_000;

let bulk: EventEnvelope[] | undefined;

/** 1000 carts × 100 events = 100 000 full envelopes. */
export function bulkEvents(): EventEnvelope[] {
  bulk ??= manyCarts(1000, 100);
  return bulk;
}
