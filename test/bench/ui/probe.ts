// Injected into every page of the UI scenarios as an init script (built as a classic script on
// `window.cartlogProbe`), so it runs before the app: it notes when the DOM shows what a scenario
// waits for, when the click that caused it happened, which IndexedDB transactions ran in between,
// and it runs the raw baselines in the same page. Times are performance.now() (ms since this
// document's navigation started) unless named epoch (performance.timeOrigin + now, comparable
// across tabs of one browser).
import { floorAppend, seedRawCart } from '../raw/command.ts';
import { cartlogLayout, openRaw, request } from '../raw/idb.ts';

const COUNT = '[data-testid="cart-count"]';
const lineQtyEl = (sku: string) => document.querySelector(`[data-testid="cart-line"][data-sku="${CSS.escape(sku)}"] [data-testid="line-qty"]`);
/** line-qty is an input (CONTRACT §6: automation reads its value); its text, where it is not one. */
const lineQty = (sku: string) => {
  const el = lineQtyEl(sku);
  return el && { textContent: el instanceof HTMLInputElement ? el.value : el.textContent };
};
/** The number a count shows, whatever the locale's grouping. */
const digits = (text: string | null | undefined) => (text ?? '').replace(/\D/g, '');
const now = () => performance.now();
export const epoch = (at = now()) => performance.timeOrigin + at;
/** When the next animation frame starts; NaN after a second without one (a background tab has none). */
const nextFrame = () =>
  new Promise<number>((resolve) => {
    requestAnimationFrame(() => resolve(now()));
    setTimeout(() => resolve(NaN), 1000);
  });

// ---- IndexedDB, while the page boots and while a change is being timed ---------------------------

export interface TxTrace {
  at: number;
  mode: IDBTransactionMode;
  stores: string;
  /** When it completed (NaN: aborted or still running). */
  done: number;
}

/**
 * From the document's start until cart-count first shows, every transaction is noted. `document`:
 * when this script ran, as the new document was created — after the previous one was torn down
 * (a reload's old page goes first, and a big page takes longer to go).
 */
const boot = { document: now(), dbOpen: NaN, dbOpened: NaN, transactions: [] as TxTrace[] };
let traces: TxTrace[] | undefined = boot.transactions;
const open = IDBFactory.prototype.open;
IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
  const request = open.apply(this, args);
  if (Number.isNaN(boot.dbOpen)) {
    boot.dbOpen = now();
    request.addEventListener('success', () => (boot.dbOpened = now()));
  }
  return request;
};
const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  const tx = transaction.apply(this, args);
  if (traces) {
    const trace: TxTrace = { at: now(), mode: tx.mode, stores: [...tx.objectStoreNames].join(','), done: NaN };
    traces.push(trace);
    tx.addEventListener('complete', () => (trace.done = now()));
  }
  return tx;
};

// ---- first render ------------------------------------------------------------------------------

export interface FirstRender {
  /** What cart-count first showed, and when. */
  text: string;
  shown: number;
  /** The next animation frame after it (the frame that paints it starts here). */
  frame: number;
  /** Milestones of the same load, for where the time goes. */
  responseEnd: number;
  domContentLoaded: number;
  firstContentfulPaint: number | undefined;
  subresourcesEnd: number;
  /** When the document was created (this probe's first line ran). */
  document: number;
  /** The first indexedDB.open: called, and its success. */
  dbOpen: number;
  dbOpened: number;
  /** IndexedDB transactions begun before cart-count showed. */
  transactions: TxTrace[];
}

let renderedNow: (value: { text: string; shown: number }) => void;
const rendered = new Promise<{ text: string; shown: number }>((resolve) => (renderedNow = resolve));
// Watches from the document's start until cart-count first has a number, then stops: one
// querySelector per mutation batch while the page boots, nothing afterwards.
const firstCount = new MutationObserver(() => {
  const text = digits(document.querySelector(COUNT)?.textContent);
  if (!text) return;
  firstCount.disconnect();
  if (traces === boot.transactions) traces = undefined;
  renderedNow({ text, shown: now() });
});
firstCount.observe(document, { subtree: true, childList: true, characterData: true });

export async function firstRender(): Promise<FirstRender> {
  const { text, shown } = await rendered;
  const frame = await nextFrame();
  const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
  const subresources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  return {
    text,
    shown,
    frame,
    responseEnd: navigation.responseEnd,
    domContentLoaded: navigation.domContentLoadedEventEnd,
    firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    subresourcesEnd: Math.max(0, ...subresources.filter((e) => e.initiatorType !== 'fetch').map((e) => e.responseEnd)),
    ...boot,
  };
}

// ---- a change, from the click to the DOM -------------------------------------------------------

let click: { stamp: number; dispatched: number } | undefined;
// Capture on window runs before the app's (delegated) handler. timeStamp is when the browser
// took the input, dispatched when this page started handling it.
addEventListener('click', (event) => (click = { stamp: event.timeStamp, dispatched: now() }), { capture: true });

export interface Change {
  /** The click in this page, if the change came from one. */
  click: { stamp: number; dispatched: number } | undefined;
  /** When the DOM showed the new quantity and count (the MutationObserver callback). */
  shown: number;
  /** The next animation frame, when asked for. */
  frame: number | undefined;
  transactions: TxTrace[];
}

let change: Promise<Change> | undefined;

/**
 * Expects the line `sku` and cart-count to go up by one (from what the DOM shows now) and notes
 * when they do; `changed()` hands the result. Call before the click.
 */
export function expectOneMore(sku: string, options: { frame?: boolean; timeoutMs?: number } = {}): { qty: number; count: number } {
  const want = { qty: Number(digits(lineQty(sku)?.textContent) || 0) + 1, count: Number(digits(document.querySelector(COUNT)?.textContent) || 0) + 1 };
  const seen = () => digits(lineQty(sku)?.textContent) === String(want.qty) && digits(document.querySelector(COUNT)?.textContent) === String(want.count);
  click = undefined;
  const transactions: TxTrace[] = [];
  traces = transactions;
  change = new Promise<Change>((resolve, reject) => {
    const timeout = setTimeout(() => {
      observer.disconnect();
      traces = undefined;
      reject(new Error(`${sku}: the DOM did not show quantity ${want.qty} and count ${want.count} within ${options.timeoutMs ?? 5000} ms`));
    }, options.timeoutMs ?? 5000);
    const observer = new MutationObserver(() => {
      if (!seen()) return;
      const shown = now();
      observer.disconnect();
      clearTimeout(timeout);
      traces = undefined;
      const result = { click, shown, frame: undefined, transactions };
      if (options.frame) void nextFrame().then((frame) => resolve({ ...result, frame }));
      else resolve(result);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return want;
}

export function changed(): Promise<Change> {
  if (!change) throw new Error('expectOneMore was not called');
  return change;
}

// ---- raw baselines -----------------------------------------------------------------------------

// One raw database per origin, shared by its pages; each page starts its record numbers at a
// random point so two pages writing the floor's stream never collide.
const RAW_DB = 'bench-ui-raw';
const RAW_STREAM = 'cart-bench-ui-floor';
let raw: Promise<IDBDatabase> | undefined;
let writes = Math.floor(Math.random() * 2 ** 40);

function rawDb(): Promise<IDBDatabase> {
  raw ??= (async () => {
    const db = await openRaw(RAW_DB, cartlogLayout);
    const head = await request(db.transaction('streams').objectStore('streams').get(RAW_STREAM));
    if (!head) await seedRawCart(db, RAW_STREAM, 'Floor', 'bench');
    return db;
  })();
  return raw;
}

/** The command path's floor: one readwrite transaction that reads the stream head and adds one record. */
export async function floor(): Promise<number> {
  const db = await rawDb();
  const start = now();
  await floorAppend(db, RAW_STREAM, ++writes, 'bench');
  return now() - start;
}

/**
 * Tab to tab on raw IndexedDB, the same work without Dexie and Svelte: this tab writes the
 * floor's record and posts its number on a BroadcastChannel; the other tab (rawListen) reads that
 * record and writes it into its DOM. Returns the epoch the write started at.
 */
export async function rawSend(): Promise<number> {
  const db = await rawDb();
  const start = epoch();
  const nth = ++writes;
  await floorAppend(db, RAW_STREAM, nth, 'bench');
  channel('cartlog-bench-raw').postMessage(nth);
  return start;
}

let rawShown: Promise<number> | undefined;
let rawShownNow: ((at: number) => void) | undefined;

export async function rawListen(): Promise<void> {
  const db = await rawDb();
  const out = document.body.appendChild(document.createElement('output'));
  out.hidden = true;
  channel('cartlog-bench-raw').onmessage = async (event: MessageEvent<number>) => {
    const index = db.transaction('pages').objectStore('pages').index('[streamId+first]');
    const page = await request(index.get([RAW_STREAM, 1 + event.data]));
    out.textContent = String(page?.events[0]?.version ?? 'missing');
    rawShownNow?.(epoch());
  };
}

/** Call before the other tab's rawSend; rawReceived then hands the epoch its record was in this DOM. */
export function expectRaw(): void {
  rawShown = new Promise((resolve) => (rawShownNow = resolve));
}

export function rawReceived(): Promise<number> {
  if (!rawShown) throw new Error('expectRaw was not called');
  return rawShown;
}

// ---- the clocks of two tabs --------------------------------------------------------------------

const channels = new Map<string, BroadcastChannel>();
function channel(name: string): BroadcastChannel {
  let c = channels.get(name);
  if (!c) channels.set(name, (c = new BroadcastChannel(name)));
  return c;
}

const oneWay: number[] = [];

/** Start noting, for each ping of the other tab, receipt epoch − send epoch. */
export function listenClock(): void {
  channel('cartlog-bench-clock').onmessage = (event: MessageEvent<number>) => oneWay.push(epoch() - event.data);
}

export function ping(): void {
  channel('cartlog-bench-clock').postMessage(epoch());
}

export const pings = (): number[] => [...oneWay];
