// `#/history?cart=<cart id>&at=<version>`: a link to a moment in a cart's history, which also
// survives a reload (the hash is the page's own state, not the server's).
import { isCartStreamId } from '../../cart/events.ts';

export interface HistoryLink {
  cartId: string;
  /** Absent: the present. */
  at?: number;
}

export function parseHistoryLink(hash: string): HistoryLink | undefined {
  const match = /^#\/history\?(.*)$/.exec(hash);
  if (!match) return undefined;
  const params = new URLSearchParams(match[1]);
  const cartId = params.get('cart') ?? '';
  if (!isCartStreamId(cartId)) return undefined;
  const at = Number(params.get('at'));
  return params.has('at') && Number.isInteger(at) && at >= 0 ? { cartId, at } : { cartId };
}

export function historyLink({ cartId, at }: HistoryLink): string {
  const params = new URLSearchParams({ cart: cartId });
  if (at !== undefined) params.set('at', String(at));
  return `#/history?${params}`;
}

/** The link of what the panel shows: at the present it leaves `at` out, so a reload follows new events. */
export function panelLink(cartId: string, position: number, length: number): string {
  return historyLink(position >= length ? { cartId } : { cartId, at: position });
}

/**
 * The hash to put in the address bar, or null to leave it: an open panel owns the hash; a
 * closed one clears only its own link, never an anchor such as `#cart`.
 */
export function nextHash(current: string, wanted: string | undefined): string | null {
  if (wanted !== undefined) return wanted === current ? null : wanted;
  return parseHistoryLink(current) ? '' : null;
}

type HashWindow = Pick<Window, 'history' | 'location'>;

/** Replaces the hash without a new history entry (a step of the slider is not a page to go back to). */
export function replaceHash(hash: string | null, win: HashWindow = window): void {
  if (hash === null) return;
  const { pathname, search } = win.location;
  try {
    win.history.replaceState(win.history.state, '', hash === '' ? pathname + search : hash);
  } catch {
    // Safari throws past 100 calls in 30 s; the link is a convenience, never worth a crash.
  }
}

/** Browsers cap history calls (Safari: 100 per 30 s, then it throws; Chromium ignores a flood). */
export const HASH_INTERVAL_MS = 400;

export interface HashWriter {
  /** The panel's link now: written at once, or at the end of the interval if one was just written. */
  follow: (link: string) => void;
  /** The panel closed: nothing pending is written, and its link leaves the address bar. */
  clear: () => void;
  /** Writes what is pending now (the page is going away). */
  flush: () => void;
}

/** Holding → or dragging the slider moves hundreds of versions a second; the hash follows at a pace browsers allow. */
export function hashWriter(win: HashWindow = window, interval = HASH_INTERVAL_MS): HashWriter {
  let pending: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    timer = undefined;
    if (pending === undefined) return;
    replaceHash(nextHash(win.location.hash, pending), win);
    pending = undefined;
    timer = setTimeout(write, interval);
  };
  return {
    follow(link) {
      pending = link;
      // The present (no `at`) is written at once: a reload right after reaching it must follow
      // new events, not reopen the last step the throttle let through. It is rare (reaching the
      // present), so it cannot flood the history API.
      if (!timer || parseHistoryLink(link)?.at === undefined) {
        clearTimeout(timer);
        write();
      }
    },
    clear() {
      clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      replaceHash(nextHash(win.location.hash, undefined), win);
    },
    flush() {
      clearTimeout(timer);
      write();
    },
  };
}
