// The command path written by hand on plain IndexedDB: the same reads and writes as
// carts.execute(AddItem) in one transaction, and the floor (read a head, add one record).
import { findProduct } from '../../../src/cart/catalog.ts';
import type { CartLine, CartState } from '../../../src/cart/decider.ts';
import type { CartListEntry, CartView } from '../../../src/cart/projections.ts';
import type { EventPage, StreamHead } from '../../../src/es/db.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { done, request } from './idb.ts';

export interface RawAddItem {
  streamId: string;
  commandId: string;
  sku: string;
  quantity: number;
  deviceId: string;
}

const lineTotals = (lines: readonly CartLine[]) => lines.map((line) => ({ ...line, lineTotal: line.unitPrice * line.quantity }));
const total = (lines: readonly CartLine[]) => lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
const count = (lines: readonly CartLine[]) => lines.reduce((sum, l) => sum + l.quantity, 0);

function page(events: EventEnvelope[]): EventPage {
  const first = events[0]!;
  return { streamId: first.streamId, first: first.version, last: first.version + events.length - 1, types: [...new Set(events.map((e) => e.type))], events };
}

/** A cart as the store leaves it after OpenCart: a page and a head carrying its view and list entry (the view is the decider's state). */
export async function seedRawCart(db: IDBDatabase, streamId: string, name: string, deviceId: string): Promise<void> {
  const at = new Date().toISOString();
  const opened = { id: crypto.randomUUID(), streamId, version: 1, type: 'CartOpened', schemaVersion: 1, data: { name }, meta: { at, deviceId, commandId: crypto.randomUUID() } };
  const view: CartView = { cartId: streamId, name, status: 'open', lines: [], total: 0, itemCount: 0, version: 1, openedAt: at, updatedAt: at };
  const entry: CartListEntry = { cartId: streamId, name, status: 'open', itemCount: 0, total: 0, updatedAt: at };
  const tx = db.transaction(['pages', 'streams'], 'readwrite');
  tx.objectStore('pages').add(page([opened]));
  tx.objectStore('streams').put({ streamId, version: 1, confirmedThrough: 0, rows: { cartView: view, cartList: entry } } satisfies StreamHead);
  await done(tx);
}

/** What AddItem writes, decided on the cart's view: the page, the new head, the journal record. */
export function addItemWrites(head: StreamHead, view: CartView, c: RawAddItem) {
  const state: CartState = { status: view.status, name: view.name, lines: view.lines.map(({ sku, name, unitPrice, quantity }) => ({ sku, name, unitPrice, quantity })) };
  const version = head.version + 1;
  const at = new Date().toISOString();
  const line = state.lines.find((l) => l.sku === c.sku);
  const product = findProduct(c.sku);
  if (!product) throw new Error(`same-work: unknown ${c.sku}`);
  const event = line
    ? { type: 'ItemQuantityChanged', data: { sku: c.sku, quantity: line.quantity + c.quantity } }
    : { type: 'ItemAdded', data: { sku: c.sku, name: product.name, unitPrice: product.unitPrice, quantity: c.quantity } };
  const lines = line
    ? state.lines.map((l) => (l.sku === c.sku ? { ...l, quantity: l.quantity + c.quantity } : l))
    : [...state.lines, { sku: c.sku, name: product.name, unitPrice: product.unitPrice, quantity: c.quantity }];
  const envelope = { id: crypto.randomUUID(), streamId: c.streamId, version, ...event, schemaVersion: 1, meta: { at, deviceId: c.deviceId, commandId: c.commandId } };
  return {
    version,
    at,
    lines,
    page: page([envelope]),
    head: { ...head, version },
    command: { commandId: c.commandId, streamId: c.streamId, status: 'pending' as const, command: { type: 'AddItem', data: { sku: c.sku, quantity: c.quantity } }, versions: [version, version] as [number, number], at },
  };
}

/** The head's rows after AddItem, from the view as it was: the list entry is a summary of the new view. */
export function addItemRows(view: CartView, w: ReturnType<typeof addItemWrites>): { cartView: CartView; cartList: CartListEntry } {
  const next: CartView = { ...view, lines: lineTotals(w.lines), total: total(w.lines), itemCount: count(w.lines), version: w.version, updatedAt: w.at };
  const entry: CartListEntry = { cartId: next.cartId, name: next.name, status: next.status, itemCount: next.itemCount, total: next.total, updatedAt: next.updatedAt };
  return { cartView: next, cartList: entry };
}

/** The cart's view as its head carries it (src/es/head-rows.ts). */
export const viewOf = (head: StreamHead | undefined): CartView | undefined => head?.rows?.cartView as CartView | undefined;

/** How a same-work transaction ends (the diagnostics try the alternatives). */
export interface Shape {
  /** Ask for the commit as soon as the last write is issued instead of waiting for auto-commit. */
  commit?: boolean;
  /** The durability hint, as the store's (default 'strict', as the store commits since issue 8). */
  durability?: IDBTransactionDurability;
}

/**
 * One transaction: get the command record and the head with the cart's view (the decider's state)
 * in one round trip, decide, then add the page and put the command record and the head with the
 * new view and list entry.
 */
export async function sameWorkAddItem(db: IDBDatabase, c: RawAddItem, shape: Shape = {}): Promise<void> {
  const tx = db.transaction(['pages', 'streams', 'commands'], 'readwrite', { durability: shape.durability ?? 'strict' });
  const complete = done(tx);
  const [handled, head] = await Promise.all([
    request(tx.objectStore('commands').get(c.commandId)),
    request(tx.objectStore('streams').get(c.streamId) as IDBRequest<StreamHead | undefined>),
  ]);
  const view = viewOf(head);
  if (handled || !head || !view) throw new Error('raw same-work: unexpected command record, or missing head or view');
  const w = addItemWrites(head, view, c);
  tx.objectStore('pages').add(w.page);
  tx.objectStore('commands').put(w.command);
  tx.objectStore('streams').put({ ...w.head, rows: addItemRows(view, w) });
  // Auto-commit (the default) waits until the requests are done and the page's task ends.
  if (shape.commit) tx.commit();
  await complete;
}

/** The least a command can cost: one transaction that reads the stream head and adds one record. */
export async function floorAppend(db: IDBDatabase, streamId: string, nth: number, deviceId: string, durability: IDBTransactionDurability = 'strict'): Promise<void> {
  const tx = db.transaction(['pages', 'streams'], 'readwrite', { durability });
  const complete = done(tx);
  const head = await request(tx.objectStore('streams').get(streamId) as IDBRequest<StreamHead | undefined>);
  if (!head) throw new Error('raw floor: missing head');
  const version = head.version + nth;
  const at = new Date().toISOString();
  const event = { id: crypto.randomUUID(), streamId, version, type: 'ItemQuantityChanged', schemaVersion: 1, data: { sku: 'FRU-001', quantity: 1 + (nth % 99) }, meta: { at, deviceId, commandId: crypto.randomUUID() } };
  tx.objectStore('pages').add(page([event]));
  await complete;
}
