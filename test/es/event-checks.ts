// The per-event checks every untrusted copy passes (an import, a pull, a push): the event time,
// the ids, and a cart event's data. The server (Node) and every browser must give the same answer
// for the same event — one the server stored but a browser refused would stall that browser's
// pull — so the suite runs in Node and in Chromium, Firefox and WebKit.
import { describe, expect, it } from 'vitest';
import { isCartStreamId, validateCartEvent } from '../../src/cart/events.ts';
import { isStreamId, isUuid } from '../../src/es/envelope.ts';
import { isIsoTime } from '../../src/es/iso-time.ts';
import { checkEnvelope } from '../../src/es/validate.ts';

const ID = '0f8e7d6c-5b4a-4392-8170-a1b2c3d4e5f6';

export const TIMES_ACCEPTED = [
  '2026-12-03T10:15:00.000Z',
  '2026-12-03T10:15:00Z',
  '2026-12-03T10:15:00.1234567Z',
  '2026-12-03T10:15:00+01:00',
  '2026-12-03T10:15:00-23:59',
  '2026-12-03T10:15:00.5-00:00',
  '2024-02-29T00:00:00Z',
  '2026-02-31T00:00:00Z', // day 31 in any month, as V8's Date.parse (the server's) has it
  '2026-12-03T24:00:00Z',
  '2026-12-03T24:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
];

export const TIMES_REFUSED = [
  '',
  'yesterday',
  '2026-12-03',
  '2026-12-03T10:15Z',
  '2026-12-03T10:15:00',
  '2026-12-03 10:15:00Z',
  '2026-12-03t10:15:00Z',
  '2026-12-03T10:15:00z',
  '2026-12-03T10:15:00.Z',
  '2026-12-03T10:15:00+0100',
  '2026-12-03T10:15:00+24:00',
  '2026-12-03T10:15:00+05:60',
  '2026-12-03T10:15:00Z\n',
  ' 2026-12-03T10:15:00Z',
  '+002026-12-03T10:15:00Z',
  '2026-1-03T10:15:00Z',
  '2026-00-03T10:15:00Z',
  '2026-13-03T10:15:00Z',
  '2026-12-00T10:15:00Z',
  '2026-12-32T10:15:00Z',
  '2026-12-03T25:00:00Z',
  '2026-12-03T24:00:01Z',
  '2026-12-03T24:01:00Z',
  '2026-12-03T24:00:00.001Z',
  '2026-12-03T23:60:00Z',
  '2026-12-03T23:59:60Z',
  '２０２６-12-03T10:15:00Z',
  '2026-12-03T1٠:15:00Z',
];

export function eventChecksSuite(environment: string): void {
  describe(`the per-event checks (${environment})`, () => {
    it.each(TIMES_ACCEPTED)('takes %s as an event time', (time) => expect(isIsoTime(time)).toBe(true));
    it.each(TIMES_REFUSED)('refuses %j as an event time', (time) => expect(isIsoTime(time)).toBe(false));

    it('refuses what is not a string as an event time', () => {
      for (const value of [undefined, null, 0, Date.now(), new Date(), {}, []]) expect(isIsoTime(value)).toBe(false);
    });

    it('takes canonical lowercase UUIDs as ids, nothing else', () => {
      expect(isUuid(ID)).toBe(true);
      expect(isUuid(crypto.randomUUID())).toBe(true);
      for (const bad of [ID.toUpperCase(), ID.slice(1), `${ID}0`, ID.replace('-', '0'), ID.replace('a', 'g'), ID.replace('-', '_'), ID.replace('5', '٥'), '', 7, null])
        expect(isUuid(bad), String(bad)).toBe(false);
      expect(isCartStreamId(`cart-${ID}`)).toBe(true);
      for (const bad of [`cart-${ID.toUpperCase()}`, `cart-${ID}x`, `cart_${ID}`, `Cart-${ID}`, ID, 'cart-'])
        expect(isCartStreamId(bad), bad).toBe(false);
    });

    it('takes 1 to 200 characters of A-Z a-z 0-9 : _ - as a stream id', () => {
      for (const good of ['a', 'Z', '0', ':', '_', '-', `cart-${ID}`, 'x'.repeat(200)]) expect(isStreamId(good), good).toBe(true);
      for (const bad of ['', 'x'.repeat(201), 'a b', 'a/b', 'é', 'a\n', '😀', 7, null]) expect(isStreamId(bad), String(bad)).toBe(false);
    });

    it('still refuses a bad stream or device id right after a good one (remembering the last good one)', () => {
      const event = (streamId: string, deviceId: string) => ({
        id: crypto.randomUUID(),
        streamId,
        version: 1,
        type: 'CartCleared',
        schemaVersion: 1,
        data: {},
        meta: { at: '2026-12-03T10:15:00.000Z', deviceId, commandId: crypto.randomUUID() },
      });
      expect(checkEnvelope(event(`cart-${ID}`, ID))).toBeNull();
      expect(checkEnvelope(event(`cart-${ID}`, ID))).toBeNull();
      expect(checkEnvelope(event(`cart ${ID}`, ID))).toMatchObject({ field: 'streamId' });
      expect(checkEnvelope(event(`cart-${ID}`, ID.toUpperCase()))).toMatchObject({ field: 'meta.deviceId' });
      expect(checkEnvelope(event(`cart-${ID}`, ID))).toBeNull();
    });

    it('names the first problem of a cart event data: declared fields in order, then an undeclared one', () => {
      const cases: [string, unknown, string, string][] = [
        ['ItemAdded', { name: 'Tea', unitPrice: 1, quantity: 1 }, 'data.sku', 'is required'],
        ['ItemAdded', { sku: '', name: '', unitPrice: -1, quantity: 0 }, 'data.sku', 'must be a non-empty string of at most 64 characters'],
        ['ItemAdded', { sku: 'T', name: ' Tea', unitPrice: -1, quantity: 0 }, 'data.name', 'must be 1 to 80 characters, without leading or trailing spaces'],
        ['ItemAdded', { sku: 'T', name: 'Tea', unitPrice: 1.5, quantity: 0 }, 'data.unitPrice', 'must be an integer number of cents, 0 or more'],
        ['ItemAdded', { sku: 'T', name: 'Tea', unitPrice: 1, quantity: 100 }, 'data.quantity', 'must be an integer from 1 to 99'],
        ['ItemAdded', { extra: 1, sku: 'T', name: 'Tea', unitPrice: 1, quantity: 1 }, 'data.extra', 'is not allowed'],
        ['CartCheckedOut', { total: 0, itemCount: -1 }, 'data.itemCount', 'must be an integer, 0 or more'],
        ['CartCleared', [], 'data', 'must be an object'],
        ['CartCleared', null, 'data', 'must be an object'],
        ['CartCleared', JSON.parse('{"__proto__": 1}'), 'data.__proto__', 'is not allowed'],
      ];
      for (const [type, data, field, reason] of cases) expect(validateCartEvent(type, 1, data), JSON.stringify(data)).toEqual({ ok: false, field, reason });
      expect(validateCartEvent('ItemQuantityChanged', 1, Object.assign(Object.create({ sku: 'T' }), { quantity: 2 }))).toEqual({ ok: true });
    });
  });
}
