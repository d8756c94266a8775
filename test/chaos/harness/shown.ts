// What the page showed as done, recorded as it happens — the first of the three views a scenario
// compares (shown, device, server; count.ts). The page exposes no command ids, so the record is
// per cart: every click on a control that adds one (add-to-cart, qty-inc, usual-add) is *issued*;
// each step up of `cart-count` while clicks are outstanding *acknowledges* one of them; an
// `error-message` *refuses* one. Each tab reports to the test process as it sees it (a binding,
// not a read at the end), so what a page showed still counts after its browser is killed.
import type { BrowserContext } from 'playwright';
import { DEVICE_ID_KEY } from '../../../src/ui/device.ts';

export interface ShownCart {
  /** Clicks made on this cart's adding controls. */
  issued: number;
  /** Clicks the page showed as done: the count went up by one for each. */
  acknowledged: number;
  /** Clicks the page refused, with a reason shown. */
  refused: number;
}

export interface ShownRecord {
  /** Starts recording in `context`: call it before the context's first page, and again after each browser restart. */
  attach: (context: BrowserContext) => Promise<void>;
  carts: () => ReadonlyMap<string, Readonly<ShownCart>>;
  /** Sums over every cart. */
  totals: () => { issued: number; acknowledged: number; refused: number };
  /**
   * Every device id the pages went by: the id lives in localStorage, which Chromium writes
   * lazily, so a profile killed early can come back under another. Its commands are all of them.
   */
  deviceIds: () => ReadonlySet<string>;
}

type Seen = { kind: 'device'; id: string } | { kind: 'click'; cart: string } | { kind: 'count'; cart: string; count: number; tab: string } | { kind: 'refused'; cart: string; text: string };

interface Tally extends ShownCart {
  /** Issued, neither acknowledged nor refused yet. */
  outstanding: number;
  /** The highest count shown since the browser started, and the tab that showed it (null: not seen yet). */
  high: number | null;
  highTab: string;
}

export function recordShown(): ShownRecord {
  const tallies = new Map<string, Tally>();
  const tally = (cart: string) =>
    tallies.get(cart) ??
    tallies.set(cart, { issued: 0, acknowledged: 0, refused: 0, outstanding: 0, high: null, highTab: '' }).get(cart)!;

  const deviceIds = new Set<string>();

  function note(seen: Seen): void {
    if (seen.kind === 'device') return void deviceIds.add(seen.id);
    const t = tally(seen.cart);
    if (seen.kind === 'click') {
      t.issued++;
      t.outstanding++;
    } else if (seen.kind === 'refused') {
      if (t.outstanding > 0) (t.refused++, t.outstanding--);
    } else {
      // Several tabs show one cart, some a moment behind: only a count above the highest shown is
      // news. A lower one counts only from the tab that showed the highest (its own view went down:
      // a rejected change, a cleared line), else it is a tab catching up.
      if (t.high !== null && seen.count > t.high) {
        const acknowledged = Math.min(seen.count - t.high, t.outstanding);
        t.acknowledged += acknowledged;
        t.outstanding -= acknowledged;
      }
      if (t.high === null || seen.count > t.high || seen.tab === t.highTab) [t.high, t.highTab] = [seen.count, seen.tab];
    }
  }

  return {
    async attach(context) {
      // A new browser: its pages start from what the profile kept. Clicks outstanding when the
      // last one died were never shown as done, and its counts are no baseline for the new pages.
      for (const t of tallies.values()) [t.outstanding, t.high, t.highTab] = [0, null, ''];
      await context.exposeBinding('chaosShown', (_source, seen: Seen) => note(seen));
      await context.addInitScript(watchPage, DEVICE_ID_KEY);
    },
    carts: () => tallies,
    totals: () => {
      const all = [...tallies.values()];
      const sum = (key: 'issued' | 'acknowledged' | 'refused') => all.reduce((n, t) => n + t[key], 0);
      return { issued: sum('issued'), acknowledged: sum('acknowledged'), refused: sum('refused') };
    },
    deviceIds: () => deviceIds,
  };
}

/** Runs in every page of the context before its own scripts (so no early click is missed). */
function watchPage(deviceKey: string): void {
  const w = window as unknown as { chaosShown?: (seen: unknown) => void };
  const tab = Math.random().toString(36).slice(2);
  const ADDS = '[data-testid="add-to-cart"], [data-testid="qty-inc"], [data-testid="usual-add"]';
  const cart = () => document.querySelector<HTMLSelectElement>('[data-testid="cart-switcher"]')?.value ?? '';
  const send = (seen: Record<string, unknown>) => void w.chaosShown?.(seen);
  // Capture phase: the click is noted before the app's handler runs (and so before its count).
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest(ADDS) : null;
    if (target && !(target as HTMLButtonElement).disabled && cart()) send({ kind: 'click', cart: cart() });
  }, true);
  let last = '';
  let lastRefusal = '';
  let device = '';
  const look = () => {
    const id = localStorage.getItem(deviceKey) ?? '';
    if (id && id !== device) send({ kind: 'device', id: (device = id) });
    const shown = document.querySelector('[data-testid="cart-count"]')?.textContent?.trim();
    const shownCart = cart();
    if (shown && shownCart && `${shownCart} ${shown}` !== last) {
      last = `${shownCart} ${shown}`;
      send({ kind: 'count', cart: shownCart, count: Number(shown), tab });
    }
    const refusal = document.querySelector('[data-testid="error-message"]')?.textContent?.trim() ?? '';
    if (refusal && refusal !== lastRefusal && shownCart) send({ kind: 'refused', cart: shownCart, text: refusal });
    lastRefusal = refusal;
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['value'] });
}
