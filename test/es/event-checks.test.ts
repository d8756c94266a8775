import { describe, expect, it } from 'vitest';
import { isIsoTime } from '../../src/es/iso-time.ts';
import { eventChecksSuite, TIMES_ACCEPTED, TIMES_REFUSED } from './event-checks.ts';

eventChecksSuite('Node');

// The event time used to be checked with a regex and V8's Date.parse; the server and Chromium
// accepted exactly that, and events stored under it must stay valid. In V8 the two agree.
describe('the event time check, against the regex and Date.parse it replaced (V8)', () => {
  const before = (text: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));

  it('gives the same answer on every listed case', () => {
    for (const time of [...TIMES_ACCEPTED, ...TIMES_REFUSED]) expect(isIsoTime(time), time).toBe(before(time));
  });

  it('gives the same answer on 50 000 generated and mutated times', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const two = (below: number) => String(Math.floor(random() * below)).padStart(2, '0');
    const alphabet = '0123456789-:T.Z+ ze\n';
    let accepted = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const fraction = random() < 0.5 ? '' : `.${'0'.repeat(Math.floor(random() * 3))}${random() < 0.5 ? '' : Math.floor(random() * 1000)}`;
      const zone = random() < 0.5 ? 'Z' : `${random() < 0.5 ? '+' : '-'}${two(30)}:${two(70)}`;
      let time = `${String(Math.floor(random() * 10_000)).padStart(4, '0')}-${two(15)}-${two(35)}T${two(27)}:${two(65)}:${two(65)}${fraction}${zone}`;
      if (random() < 0.5) {
        const at = Math.floor(random() * time.length);
        const char = alphabet[Math.floor(random() * alphabet.length)]!;
        time = random() < 0.5 ? time.slice(0, at) + char + time.slice(at + 1) : time.slice(0, at) + time.slice(at + 1);
      }
      if (before(time)) accepted++;
      if (isIsoTime(time) !== before(time)) disagreements.push(time);
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(5_000);
  });
});
