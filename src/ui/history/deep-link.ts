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
