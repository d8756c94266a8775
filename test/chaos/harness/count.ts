// The one count every scenario prints: three views taken independently — what the page showed as
// done (shown.ts, recorded as it happened), what the device holds (device-view.ts), what the
// server holds (its pull) — compared per command, not per event id. An event-id count misses a
// change the device itself dropped (device minus server is then nothing) and a command decided
// twice (its second decision has new ids).
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import type { ConfirmedEvent } from '../../../src/sync/protocol.ts';
import type { Page } from 'playwright';
import { deviceView, type DeviceView } from './device-view.ts';
import type { ShownRecord } from './shown.ts';

export type Counts = {
  /** Clicks made, shown as done, refused with a reason (the page's view). */
  issued: number;
  acknowledged: number;
  refused: number;
  /** This device's adding commands in the device's log and on the server; changes it lists as rejected. */
  onDevice: number;
  onServer: number;
  rejected: number;
  /** Shown as done, yet on neither the device nor the server, nor rejected with a reason. */
  lost: number;
  /** Shown as done, yet not on the device (nor rejected): the device itself let go of it. */
  droppedByDevice: number;
  /** Shown as done and held by the device, not (yet) on the server: 0 once synced (absent without a server). */
  notOnServer?: number;
  /** Commands with effects twice: decided twice (one id, two sets of events), more than clicked, or an event id twice. */
  duplicated: number;
};

export interface Views {
  shown: ShownRecord;
  device: DeviceView;
  /** Absent for a device that does not sync. */
  server?: readonly (EventEnvelope | ConfirmedEvent)[];
}

export function countThreeWay({ shown, device, server }: Views): Counts {
  const mine = shown.deviceIds();
  const onDevice = addingCommands(device.events, mine);
  const onServer = addingCommands(server ?? [], mine);
  const rejected = new Map(device.rejected.filter((row) => row.reason.trim()).map((row) => [row.commandId, row.cartId]));
  let [lost, droppedByDevice, notOnServer, moreThanClicked] = [0, 0, 0, 0];
  // Also the carts nothing was clicked in: a command of this device there was clicked nowhere.
  const carts = new Set([...shown.carts().keys(), ...onDevice.values(), ...onServer.values()]);
  for (const cart of carts) {
    const { acknowledged, issued } = shown.carts().get(cart) ?? { acknowledged: 0, issued: 0 };
    const held = idsOf(cart, onDevice, rejected);
    const kept = idsOf(cart, onServer, rejected);
    const anywhere = new Set([...held, ...kept]);
    lost += Math.max(0, acknowledged - anywhere.size);
    droppedByDevice += Math.max(0, acknowledged - held.size);
    if (server) notOnServer += Math.max(0, acknowledged - kept.size);
    moreThanClicked += Math.max(0, anywhere.size - issued);
  }
  const decidedTwice = new Set([...decidedMoreThanOnce(device.events), ...decidedMoreThanOnce(server ?? [])]);
  const totals = shown.totals();
  return {
    ...totals,
    onDevice: onDevice.size,
    onServer: onServer.size,
    rejected: rejected.size,
    lost,
    droppedByDevice,
    ...(server ? { notOnServer } : {}),
    duplicated: moreThanClicked + decidedTwice.size + repeatedIds(device.events) + repeatedIds(server ?? []),
  };
}

/** Command ids of `cart` in `commands`, plus the rejected ones of that cart. */
function idsOf(cart: string, commands: ReadonlyMap<string, string>, rejected: ReadonlyMap<string, string>): Set<string> {
  const ids = new Set<string>();
  for (const [commandId, streamId] of [...commands, ...rejected]) if (streamId === cart) ids.add(commandId);
  return ids;
}

/**
 * commandId → cart of the commands made on one of `devices` that raised a line's quantity (what a
 * click on an adding control does), found by folding each stream in version order.
 */
function addingCommands(events: readonly EventEnvelope[], devices: ReadonlySet<string>): Map<string, string> {
  const adding = new Map<string, string>();
  const quantities = new Map<string, number>();
  for (const event of [...events].sort((a, b) => (a.streamId === b.streamId ? a.version - b.version : a.streamId < b.streamId ? -1 : 1))) {
    const { sku, quantity } = event.data as { sku?: string; quantity?: number };
    const line = `${event.streamId} ${sku}`;
    if (event.type === 'CartCleared') for (const key of quantities.keys()) if (key.startsWith(`${event.streamId} `)) quantities.delete(key);
    if (event.type === 'ItemRemoved') quantities.delete(line);
    if (event.type !== 'ItemAdded' && event.type !== 'ItemQuantityChanged') continue;
    if (quantity! > (quantities.get(line) ?? 0) && devices.has(event.meta.deviceId)) adding.set(event.meta.commandId, event.streamId);
    quantities.set(line, quantity!);
  }
  return adding;
}

/** Commands with two events about one thing (two decisions under one id: ItemAdded, then ItemQuantityChanged 2). */
function decidedMoreThanOnce(events: readonly EventEnvelope[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  // By id first: an event held twice is counted once here, and by repeatedIds.
  for (const { meta, type, data } of new Map(events.map((event) => [event.id, event])).values()) {
    const effect = `${meta.commandId} ${(data as { sku?: string }).sku ?? type}`;
    if (seen.has(effect)) twice.add(meta.commandId);
    seen.add(effect);
  }
  return twice;
}

function repeatedIds(events: readonly EventEnvelope[]): number {
  return events.length - new Set(events.map((event) => event.id)).size;
}

/**
 * The three views now: the device's read through `page`, the server's through `serverLog` (absent
 * for a device that does not sync). `events` is what the server holds, else what the device does.
 */
export async function countNow(shown: ShownRecord, page: Page, serverLog?: () => Promise<readonly ConfirmedEvent[]>): Promise<Counts & { events: number }> {
  const device = await deviceView(page);
  const server = await serverLog?.();
  return { events: (server ?? device.events).length, ...countThreeWay({ shown, device, ...(server ? { server } : {}) }) };
}

/** Several devices' counts as one (a scenario's total); `events` is the largest any view held. */
export function sumCounts(all: readonly (Counts & { events: number })[]): Counts & { events: number } {
  const total: Record<string, number> = {};
  for (const counts of all) for (const [key, value] of Object.entries(counts)) total[key] = key === 'events' ? Math.max(total[key] ?? 0, value) : (total[key] ?? 0) + value;
  return total as unknown as Counts & { events: number };
}
