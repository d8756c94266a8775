// The history panel's pure parts: the virtual window over the rows, what a row and a diff say,
// the keys, when restore is off, and the hash that follows the slider.
import { describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { describeChange } from '../../../src/ui/history/change-text.ts';
import { hashWriter, nextHash, panelLink, replaceHash } from '../../../src/ui/history/deep-link.ts';
import { ALL_TYPES, shortId, syncState, typeCounts, versionsOfType } from '../../../src/ui/history/event-rows.ts';
import { panelKey, positionForKey, restoreBlocker } from '../../../src/ui/history/panel-rules.ts';
import { indexIn, revealRow, rowWindow } from '../../../src/ui/history/virtual-window.ts';

const CART = 'cart-0192f3c4-0000-7000-8000-00000000c001';

describe('rowWindow', () => {
  const box = { scrollTop: 0, viewport: 320, rowHeight: 64 };

  it('renders the rows in view plus the overscan, positioned by arithmetic', () => {
    expect(rowWindow(box, 100_000, 2)).toEqual({ start: 0, end: 8, offset: 0, height: 6_400_000 });
    // Scrolled to row 1000: rows 998..1008 (5 in view + 1 partial + 2 either side).
    expect(rowWindow({ ...box, scrollTop: 64_000 }, 100_000, 2)).toEqual({ start: 998, end: 1008, offset: 998 * 64, height: 6_400_000 });
  });

  it('stays inside the list at both ends and when it is short or empty', () => {
    expect(rowWindow({ ...box, scrollTop: 6_400_000 }, 100_000, 2)).toMatchObject({ start: 99_998, end: 100_000 });
    expect(rowWindow({ ...box, scrollTop: 10_000 }, 3)).toMatchObject({ start: 0, end: 3, height: 192 });
    expect(rowWindow(box, 0)).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
    expect(rowWindow({ ...box, scrollTop: -50 }, 10, 0)).toMatchObject({ start: 0, end: 6 });
  });

  it('renders a screenful before the scroller has been measured', () => {
    expect(rowWindow({ ...box, viewport: 0 }, 1000, 0)).toMatchObject({ start: 0, end: 12 });
  });

  it('is a few dozen rows whatever the length, so the DOM does not grow with the log', () => {
    for (const count of [10, 1000, 100_000, 2_000_000]) {
      const { start, end } = rowWindow({ ...box, scrollTop: (count * 64) / 2 }, count);
      expect(end - start).toBeLessThanOrEqual(Math.ceil(320 / 64) + 1 + 12);
    }
  });
});

describe('revealRow', () => {
  const box = { scrollTop: 640, viewport: 320, rowHeight: 64 };
  it('scrolls as little as needed to show a row, and not at all when it is in view', () => {
    expect(revealRow(box, 12)).toBe(640);
    expect(revealRow(box, 3)).toBe(192);
    expect(revealRow(box, 20)).toBe(21 * 64 - 320);
    expect(revealRow({ ...box, scrollTop: 0 }, 0)).toBe(0);
  });
});

describe('indexIn', () => {
  it('finds a version among the filtered ones, or says it is not there', () => {
    const versions = [2, 4, 5, 9, 12];
    expect(versions.map((v) => indexIn(versions, v))).toEqual([0, 1, 2, 3, 4]);
    expect([1, 3, 13].map((v) => indexIn(versions, v))).toEqual([-1, -1, -1]);
    expect(indexIn([], 1)).toBe(-1);
  });
});

function event(version: number, type: string, position?: number): EventEnvelope {
  return {
    id: `0192f3c4-0000-7000-8000-${String(version).padStart(12, '0')}`,
    streamId: CART,
    version,
    type,
    schemaVersion: 1,
    data: {},
    meta: { at: '2026-11-27T06:00:00.000Z', deviceId: '0192f3c4-0000-7000-8000-00000000d001', commandId: '0192f3c4-0000-7000-8000-0000000abc12' },
    ...(position === undefined ? {} : { position }),
  };
}

describe('event rows', () => {
  const events = [event(1, 'CartOpened', 7), event(2, 'ItemAdded', 8), event(3, 'ItemAdded'), event(4, 'CartRenamed')];

  it('says pending until the server gave a position', () => {
    expect(events.map(syncState)).toEqual(['confirmed', 'confirmed', 'pending', 'pending']);
  });

  it('shortens ids to their random tail', () => {
    expect(shortId('0192f3c4-0000-7000-8000-0000000abc12')).toBe('0abc12');
  });

  it('filters by type into versions, and counts each type', () => {
    expect(versionsOfType(events, ALL_TYPES)).toBeUndefined();
    expect(versionsOfType(events, 'ItemAdded')).toEqual([2, 3]);
    expect(versionsOfType(events, 'CartCleared')).toEqual([]);
    expect(Object.fromEntries(typeCounts(events))).toEqual({ CartOpened: 1, ItemAdded: 2, CartRenamed: 1 });
  });
});

describe('describeChange', () => {
  const money = (cents: number) => `€${(cents / 100).toFixed(2)}`;
  it('words each kind of change, with a tone for its marker', () => {
    expect(
      [
        { kind: 'opened', name: 'Weekly' },
        { kind: 'renamed', from: 'A', to: 'B' },
        { kind: 'status', from: 'open', to: 'checked-out' },
        { kind: 'line-added', sku: 'X', name: 'Apples', quantity: 2, unitPrice: 150 },
        { kind: 'line-removed', sku: 'X', name: 'Apples', quantity: 2 },
        { kind: 'quantity', sku: 'X', name: 'Apples', from: 2, to: 5 },
        { kind: 'total', from: 300, to: 750 },
      ].map((change) => describeChange(change as Parameters<typeof describeChange>[0], money)),
    ).toEqual([
      { tone: 'added', text: 'Cart opened as “Weekly”' },
      { tone: 'changed', text: 'Renamed “A” → “B”' },
      { tone: 'changed', text: 'Status open → checked-out' },
      { tone: 'added', text: 'Added Apples × 2 at €1.50 each' },
      { tone: 'removed', text: 'Removed Apples (× 2)' },
      { tone: 'changed', text: 'Apples: quantity 2 → 5' },
      { tone: 'changed', text: 'Total €3.00 → €7.50' },
    ]);
  });
});

describe('panel rules', () => {
  it('moves by one with the arrows, to the ends with Home/End, within 0..length', () => {
    expect(positionForKey('ArrowLeft', 3, 5)).toBe(2);
    expect(positionForKey('ArrowLeft', 0, 5)).toBe(0);
    expect(positionForKey('ArrowRight', 5, 5)).toBe(5);
    expect(positionForKey('Home', 3, 5)).toBe(0);
    expect(positionForKey('End', 3, 5)).toBe(5);
    expect(positionForKey('a', 3, 5)).toBeUndefined();
    expect(positionForKey('ArrowUp', 3, 5)).toBe(2);
    expect(positionForKey('ArrowDown', 3, 5)).toBe(4);
  });

  it('Esc closes from anywhere; Space skips the event shown, except on a toolbar button or in a field', () => {
    const row = { inField: false, onButton: false };
    expect(panelKey('Escape', 3, 5, { inField: true, onButton: false })).toEqual({ kind: 'close' });
    expect(panelKey(' ', 3, 5, row)).toEqual({ kind: 'skip' });
    expect(panelKey(' ', 0, 5, row)).toBeUndefined();
    expect(panelKey(' ', 3, 5, { inField: false, onButton: true })).toBeUndefined();
    expect(panelKey('ArrowDown', 3, 5, { inField: true, onButton: false })).toBeUndefined();
    expect(panelKey('ArrowDown', 3, 5, row)).toEqual({ kind: 'seek', position: 4 });
  });

  it('turns restore off where it cannot work, saying why', () => {
    expect(restoreBlocker({ position: 2, atPresent: false }, 'open')).toBeUndefined();
    expect(restoreBlocker({ position: 5, atPresent: false }, 'open')).toBeUndefined(); // a what-if at the last version
    expect(restoreBlocker({ position: 0, atPresent: false }, 'open')).toMatch(/Version 0/);
    expect(restoreBlocker({ position: 5, atPresent: true }, 'open')).toMatch(/present already/);
    expect(restoreBlocker({ position: 2, atPresent: false }, 'checked-out')).toMatch(/checked out/);
    expect(restoreBlocker({ position: 2, atPresent: false }, 'archived')).toMatch(/archived/);
  });
});

describe('the hash', () => {
  it('names the version, or only the cart at the present (so the link follows new events)', () => {
    expect(panelLink(CART, 2, 5)).toBe(`#/history?cart=${CART}&at=2`);
    expect(panelLink(CART, 0, 5)).toBe(`#/history?cart=${CART}&at=0`);
    expect(panelLink(CART, 5, 5)).toBe(`#/history?cart=${CART}`);
  });

  it('is owned by an open panel; a closed one clears only its own link', () => {
    const link = panelLink(CART, 2, 5);
    expect(nextHash('', link)).toBe(link);
    expect(nextHash(link, link)).toBeNull();
    expect(nextHash('#cart', link)).toBe(link);
    expect(nextHash(link, undefined)).toBe('');
    expect(nextHash('#cart', undefined)).toBeNull();
    expect(nextHash('', undefined)).toBeNull();
  });

  it('is replaced in place, never pushed', () => {
    const calls: unknown[][] = [];
    const win = {
      location: { pathname: '/shop/', search: '?x=1' },
      history: { state: { keep: true }, replaceState: (...args: unknown[]) => void calls.push(args) },
    } as unknown as Pick<Window, 'history' | 'location'>;
    replaceHash(null, win);
    replaceHash('#/history?cart=c', win);
    replaceHash('', win);
    expect(calls).toEqual([
      [{ keep: true }, '', '#/history?cart=c'],
      [{ keep: true }, '', '/shop/?x=1'],
    ]);
  });
});

describe('hashWriter', () => {
  function fakeWindow() {
    const writes: string[] = [];
    const win = {
      location: { pathname: '/', search: '', hash: '' },
      history: {
        state: null,
        replaceState: (_state: unknown, _title: string, url: string) => {
          writes.push(url);
          win.location.hash = url.startsWith('#') ? url : '';
        },
      },
    };
    return { win: win as unknown as Pick<Window, 'history' | 'location'>, writes };
  }

  it('writes the first step at once and the last of a burst at the end of the interval, never more often', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { win, writes } = fakeWindow();
      const hash = hashWriter(win, 400);
      hash.follow(`#/history?cart=${CART}&at=1`);
      for (let at = 2; at <= 300; at++) hash.follow(`#/history?cart=${CART}&at=${at}`);
      expect(writes).toEqual([`#/history?cart=${CART}&at=1`]);
      vi.advanceTimersByTime(400);
      expect(writes).toEqual([`#/history?cart=${CART}&at=1`, `#/history?cart=${CART}&at=300`]);
      vi.advanceTimersByTime(2000);
      expect(writes).toHaveLength(2);

      hash.follow(`#/history?cart=${CART}&at=7`);
      hash.clear();
      vi.advanceTimersByTime(1000);
      expect(writes.slice(2)).toEqual([`#/history?cart=${CART}&at=7`, '/']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes reaching the present at once, so a reload right after follows new events', () => {
    // A reload's URL is taken when it starts: a write still held by the interval (or made in
    // pagehide) came too late, and the reload reopened the last step shown instead of the present.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { win, writes } = fakeWindow();
      const hash = hashWriter(win, 400);
      hash.follow(`#/history?cart=${CART}&at=7`);
      hash.follow(`#/history?cart=${CART}&at=8`);
      hash.follow(`#/history?cart=${CART}`);
      expect(writes).toEqual([`#/history?cart=${CART}&at=7`, `#/history?cart=${CART}`]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('flushes what is pending when the page goes away', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { win, writes } = fakeWindow();
      const hash = hashWriter(win, 400);
      hash.follow(`#/history?cart=${CART}&at=1`);
      hash.follow(`#/history?cart=${CART}&at=2`);
      hash.flush();
      expect(writes).toEqual([`#/history?cart=${CART}&at=1`, `#/history?cart=${CART}&at=2`]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('history rows in words', () => {
  const money = (cents: number) => `€${(cents / 100).toFixed(2)}`;
  const at = (version: number, type: string, data: Record<string, unknown>, commandId = `c${version}`) =>
    ({ id: `e${version}`, streamId: 'cart-x', version, type, schemaVersion: 1, data, meta: { at: '2026-01-01T00:00:00.000Z', deviceId: 'd', commandId } }) as never;

  it('says what each event did, with what came before it', async () => {
    const { eventWords } = await import('../../../src/ui/history/event-words.ts');
    const events = [
      at(1, 'CartOpened', { name: 'My cart' }),
      at(2, 'ItemAdded', { sku: 's1', name: 'Strawberries', unitPrice: 399, quantity: 1 }),
      at(3, 'ItemQuantityChanged', { sku: 's1', quantity: 2 }),
      at(4, 'ItemQuantityChanged', { sku: 's1', quantity: 3 }),
      at(5, 'CartRenamed', { name: 'Party' }),
      at(6, 'ItemRemoved', { sku: 's1' }),
      at(7, 'CartCheckedOut', { total: 2154, itemCount: 6 }),
    ];
    expect(events.map((_, i) => eventWords(events, i, money))).toEqual([
      'Opened “My cart”',
      '+ Strawberries ×1 · €3.99',
      'Strawberries 1 → 2',
      'Strawberries 2 → 3',
      'Renamed “My cart” → “Party”',
      '− Strawberries',
      'Checked out · 6 items · €21.54',
    ]);
  });

  it('groups the events of one command; a collapsed group shows its first row only', async () => {
    const { commandGroup, visibleVersions } = await import('../../../src/ui/history/event-words.ts');
    const events = [at(1, 'CartOpened', { name: 'A' }), at(2, 'ItemAdded', {}, 'r'), at(3, 'ItemAdded', {}, 'r'), at(4, 'CartRenamed', { name: 'B' }, 'r'), at(5, 'CartCleared', {})];
    expect(commandGroup(events, 2)).toEqual({ first: 1, size: 3 });
    expect(commandGroup(events, 4)).toEqual({ first: 4, size: 1 });
    expect(visibleVersions(events, () => true, new Set(['r']))).toEqual([1, 2, 5]);
    expect(visibleVersions(events, (e: { type: string }) => e.type === 'ItemAdded', new Set())).toEqual([2, 3]);
  });
});
