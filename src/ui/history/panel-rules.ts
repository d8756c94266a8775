// What the panel's keys do, and when restore cannot work — known before asking the decider, so
// the button is off and says why (CONTRACT §6), in the decider's own words.
import type { CartView } from '../../cart/projections.ts';
import type { Blocker } from '../blockers.ts';

/** The position a key moves to, or undefined when the key is not the panel's. */
export function positionForKey(key: string, position: number, length: number): number | undefined {
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowUp':
      return Math.max(0, position - 1);
    case 'ArrowRight':
    case 'ArrowDown':
      return Math.min(length, position + 1);
    case 'Home':
      return 0;
    case 'End':
      return length;
    default:
      return undefined;
  }
}

export type PanelAction = { kind: 'seek'; position: number } | { kind: 'skip' } | { kind: 'close' };

/**
 * What a key pressed in the panel does. Fields keep their own keys (the slider moves by the
 * arrows itself, a select opens on Space); Esc closes from anywhere; Space on a toolbar button
 * presses it, elsewhere (an event row too) it skips the event shown.
 */
export function panelKey(key: string, position: number, length: number, where: { inField: boolean; onButton: boolean }): PanelAction | undefined {
  if (key === 'Escape') return { kind: 'close' };
  if (where.inField) return undefined;
  if (key === ' ') return where.onButton || position === 0 ? undefined : { kind: 'skip' };
  const next = positionForKey(key, position, length);
  return next === undefined ? undefined : { kind: 'seek', position: next };
}

/** Why restore waits while the cart's events are still being read. */
export const READING = 'The history is still being read.';

export function restoreBlocker(shown: { position: number; atPresent: boolean }, liveStatus: CartView['status'] | undefined): Blocker {
  if (liveStatus === 'checked-out' || liveStatus === 'archived')
    return `This cart is ${liveStatus === 'archived' ? 'archived' : 'checked out'}: it can no longer be changed, so it cannot be restored.`;
  if (shown.position === 0) return 'Version 0 is before the cart existed: there is nothing to restore.';
  if (shown.atPresent) return 'This is the present already: pick an earlier version or skip an event first.';
  return undefined;
}
