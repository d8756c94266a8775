// The suite's own reading of a cart's events (CONTRACT §3), independent of the app's
// projections: what the lines must be if the read model matches the log.
import type { EventEnvelope } from '../../../src/es/envelope.ts';

export function foldLines(events: readonly EventEnvelope[]): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const { type, data } of events) {
    const { sku, quantity } = data as { sku?: string; quantity?: number };
    if ((type === 'ItemAdded' || type === 'ItemQuantityChanged') && sku) lines[sku] = quantity!;
    else if (type === 'ItemRemoved' && sku) delete lines[sku];
    else if (type === 'CartCleared') for (const key of Object.keys(lines)) delete lines[key];
  }
  return lines;
}
