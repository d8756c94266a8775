// What one event did, in a row's few words (issue 11 item 7): "+ Strawberries ×1 · €3.99",
// "Milk 2 → 3", "Checked out · 6 items · €21.54". What the event itself does not carry (the
// quantity before, a removed line's name) is found by looking back through the log a little;
// the real log, not a what-if: a row says what its event did when it was written.
import { findProduct } from '../../cart/catalog.ts';
import type { EventEnvelope } from '../../es/envelope.ts';

export type FormatCents = (cents: number) => string;

/** How far back a row looks for a line's quantity or the cart's name before it gives up. */
export const LOOK_BACK = 500;

type Data = Record<string, unknown>;
const dataOf = (event: EventEnvelope) => (event.data ?? {}) as Data;
const items = (n: number) => `${n} ${n === 1 ? 'item' : 'items'}`;

/** The line `sku` just before events[index]: its name and quantity, as far as the look-back sees. */
function lineBefore(events: readonly EventEnvelope[], index: number, sku: string): { name?: string; quantity?: number } {
  let quantity: number | undefined;
  for (let i = index - 1; i >= 0 && i >= index - LOOK_BACK; i--) {
    const event = events[i]!;
    const data = dataOf(event);
    if (event.type === 'CartCleared') return {};
    if (data.sku !== sku) continue;
    if (event.type === 'ItemRemoved') return {};
    if (event.type === 'ItemAdded') return { name: String(data.name), quantity: quantity ?? Number(data.quantity) };
    if (event.type === 'ItemQuantityChanged') quantity ??= Number(data.quantity);
  }
  return quantity === undefined ? {} : { quantity };
}

function nameBefore(events: readonly EventEnvelope[], index: number): string | undefined {
  for (let i = index - 1; i >= 0 && i >= index - LOOK_BACK; i--) {
    const event = events[i]!;
    if (event.type === 'CartOpened' || event.type === 'CartRenamed') return String(dataOf(event).name);
  }
  return undefined;
}

export function eventWords(events: readonly EventEnvelope[], index: number, money: FormatCents): string {
  const event = events[index]!;
  const data = dataOf(event);
  const product = (sku: unknown) => lineBefore(events, index, String(sku)).name ?? findProduct(String(sku))?.name ?? String(sku);
  switch (event.type) {
    case 'CartOpened':
      return `Opened “${String(data.name)}”`;
    case 'CartRenamed': {
      const before = nameBefore(events, index);
      return before ? `Renamed “${before}” → “${String(data.name)}”` : `Renamed to “${String(data.name)}”`;
    }
    case 'ItemAdded':
      return `+ ${String(data.name)} ×${Number(data.quantity)} · ${money(Number(data.unitPrice))}`;
    case 'ItemQuantityChanged': {
      const before = lineBefore(events, index, String(data.sku));
      const name = before.name ?? findProduct(String(data.sku))?.name ?? String(data.sku);
      return before.quantity === undefined ? `${name} → ${Number(data.quantity)}` : `${name} ${before.quantity} → ${Number(data.quantity)}`;
    }
    case 'ItemRemoved':
      return `− ${product(data.sku)}`;
    case 'CartCleared':
      return 'Emptied the cart';
    case 'CartCheckedOut':
      return `Checked out · ${items(Number(data.itemCount))} · ${money(Number(data.total))}`;
    case 'CartArchived':
      return 'Archived';
    default:
      return event.type;
  }
}

/** The run of events around events[index] made by one command (one commandId): where it starts and how many. */
export function commandGroup(events: readonly EventEnvelope[], index: number): { first: number; size: number } {
  const id = events[index]!.meta.commandId;
  let first = index;
  // `?.`: before a long cart is read whole, the events before its newest are holes.
  while (first > 0 && events[first - 1]?.meta.commandId === id) first--;
  let last = index;
  while (last < events.length - 1 && events[last + 1]!.meta.commandId === id) last++;
  return { first, size: last - first + 1 };
}

/** Versions left when the groups of `collapsed` commands show only their first row (ascending). */
export function visibleVersions(events: readonly EventEnvelope[], shown: (event: EventEnvelope) => boolean, collapsed: ReadonlySet<string>): number[] {
  const versions: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const tail = i > 0 && events[i - 1]!.meta.commandId === event.meta.commandId;
    if (shown(event) && !(tail && collapsed.has(event.meta.commandId))) versions.push(event.version);
  }
  return versions;
}
