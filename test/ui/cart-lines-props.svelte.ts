// CartLines' props as the panel feeds them, changeable after mount: each a state of its own, so a
// test can move the cart on (another tab, a sync) while the list is on screen.
import type { Snippet } from 'svelte';
import type { CartView } from '../../src/cart/projections.ts';
import type { Blocker } from '../../src/ui/blockers.ts';

export interface LinesCalls {
  set: [string, number][];
  adjust: [string, number][];
  remove: [string, string, string | undefined][];
  refuse: [string, string][];
  revert: string[];
}

export function linesProps(initial: CartView, error: Snippet, accept: () => Promise<boolean>) {
  let view = $state.raw(initial);
  let frozen = $state.raw<Blocker>();
  let errorSku = $state.raw<string>();
  const calls: LinesCalls = { set: [], adjust: [], remove: [], refuse: [], revert: [] };
  const props = {
    get view() {
      return view;
    },
    get frozen() {
      return frozen;
    },
    get errorSku() {
      return errorSku;
    },
    error,
    onSet: (sku: string, quantity: number) => (calls.set.push([sku, quantity]), accept()),
    onAdjust: (sku: string, delta: number) => void calls.adjust.push([sku, delta]),
    onRemove: (sku: string, name: string, next: string | undefined) => void calls.remove.push([sku, name, next]),
    onRefuse: (sku: string, reason: string) => void calls.refuse.push([sku, reason]),
    onRevert: (sku: string) => void calls.revert.push(sku),
  };
  return {
    props,
    calls,
    set view(next: CartView) {
      view = next;
    },
    set frozen(next: Blocker) {
      frozen = next;
    },
    set errorSku(next: string | undefined) {
      errorSku = next;
    },
  };
}
