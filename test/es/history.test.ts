// The time-travel engine against the plain definition: the state at version v is the fold of
// the first v events, skipped ones left out — at every version, for random histories and skips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHistory } from '../../src/es/history.ts';

interface Tally {
  sum: number;
  seen: number[];
}
const tally = {
  initialState: (): Tally => ({ sum: 0, seen: [] }),
  evolve: (state: Tally, n: number): Tally => ({ sum: state.sum + n, seen: [...state.seen, n] }),
};
const foldWithout = (events: number[], upTo: number, skipped: Set<number>) =>
  events.slice(0, upTo).reduce((state, n, i) => (skipped.has(i + 1) ? state : tally.evolve(state, n)), tally.initialState());

describe('history engine', () => {
  it('gives, at every version, the fold of the prefix without the skipped events', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 17 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 130 }), { minLength: 1, maxLength: 20 }),
        (events, interval, skips, jumps) => {
          const history = createHistory({ ...tally, interval }, events);
          for (const v of jumps) expect(history.stateAt(v)).toEqual(foldWithout(events, v, new Set()));
          history.setSkipped(skips);
          for (const v of jumps) expect(history.stateAt(v)).toEqual(foldWithout(events, v, new Set(skips)));
          for (let v = 0; v <= events.length; v++) expect(history.stateAt(v)).toEqual(foldWithout(events, v, new Set(skips)));
          history.setSkipped([]);
          expect(history.stateAt(events.length)).toEqual(foldWithout(events, events.length, new Set()));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('grows with new events without changing what earlier versions show', () => {
    const history = createHistory({ ...tally, interval: 4 }, [1, 2, 3]);
    expect(history.stateAt(3).sum).toBe(6);
    history.append([10, 20, 30, 40, 50]);
    expect(history.length).toBe(8);
    expect(history.stateAt(3).sum).toBe(6);
    expect(history.stateAt(8).sum).toBe(156);
    expect(history.stateAt(99).sum).toBe(156); // clamped to the present
    expect(history.eventAt(4)).toBe(10);
  });

  it('jumps in O(interval) evolve calls, not O(position)', () => {
    let calls = 0;
    const counting = { initialState: () => 0, evolve: (s: number, n: number) => (calls++, s + n) };
    const events = Array.from({ length: 100_000 }, () => 1);
    const history = createHistory({ ...counting, interval: 256 }, events);
    history.stateAt(100_000); // builds the checkpoints once
    calls = 0;
    for (const v of [99_999, 512, 77_777, 3, 100_000, 50_001]) history.stateAt(v);
    expect(calls).toBeLessThanOrEqual(6 * 256);
    history.setSkipped([90_000]);
    calls = 0;
    expect(history.stateAt(100_000)).toBe(99_999);
    expect(calls).toBeLessThanOrEqual(10_000 + 256); // refolds only after the skipped event
    calls = 0;
    expect(history.stateAt(20_000)).toBe(20_000);
    expect(calls).toBeLessThanOrEqual(256);
  });
});

describe('history engine, long', () => {
  it('holds a stream longer than a call’s argument limit (300 000 events)', () => {
    const events = Array.from({ length: 300_000 }, () => 1);
    const history = createHistory({ initialState: () => 0, evolve: (s: number, n: number) => s + n }, events);
    history.append(events);
    expect([history.length, history.stateAt(600_000), history.stateAt(299_999)]).toEqual([600_000, 600_000, 299_999]);
  });
});

describe('history engine, warmed in slices', () => {
  it('folds one checkpoint per slice until told to stop, and the states are the plain fold', () => {
    let calls = 0;
    const counting = { initialState: () => 0, evolve: (s: number, n: number) => (calls++, s + n) };
    const events = Array.from({ length: 1_000 }, (_, i) => i);
    const history = createHistory({ ...counting, interval: 100 }, events);
    expect([history.isNear(50), history.isNear(999)]).toEqual([true, false]);
    let slices = 0;
    while (!history.warm(() => true)) slices++;
    // Ten checkpoints after the first (100 … 1 000), one per slice: the last slice reports done.
    expect([slices, calls]).toEqual([9, 1_000]);
    expect(history.isNear(999)).toBe(true);
    calls = 0;
    expect(history.stateAt(999)).toBe(foldWithout(events, 999, new Set()).sum);
    expect(calls).toBeLessThanOrEqual(100);
    expect(history.warm(() => false)).toBe(true);
    expect(calls).toBeLessThanOrEqual(100);
  });
});

describe('history engine with the present known', () => {
  it('shows the present without folding, and every other version, skips too, as the plain fold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 90 }), { minLength: 1, maxLength: 10 }),
        (events, skips, jumps) => {
          let evolved = 0;
          const counted = { initialState: tally.initialState, evolve: (s: Tally, n: number) => (evolved++, tally.evolve(s, n)) };
          const present = foldWithout(events, events.length, new Set());
          const history = createHistory({ ...counted, interval: 8, present }, events);
          expect(history.stateAt(events.length)).toBe(present);
          expect(evolved).toBe(0);
          for (const v of jumps) expect(history.stateAt(v)).toEqual(foldWithout(events, v, new Set()));
          history.setSkipped(skips);
          for (const v of [...jumps, events.length]) expect(history.stateAt(v)).toEqual(foldWithout(events, v, new Set(skips)));
          // New events past the known present are folded as usual.
          history.append([7]);
          expect(history.stateAt(events.length + 1)).toEqual(foldWithout([...events, 7], events.length + 1, new Set(skips)));
        },
      ),
    );
  });
});
