// WebKitGTK under LANG=C.UTF-8 reports navigator.language 'C'; Intl throws on it, and the money,
// time and storage figures built their formatters at module load — a blank page. Any tag Intl
// cannot parse must format in Intl's default locale instead.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { usableLocale } from '../../src/ui/locale.ts';

const badTags = ['C', '', 'x-bad'];
const defaultEuros = (cents: number) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(cents / 100);

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

async function loadWithLanguage(language: string) {
  vi.stubGlobal('navigator', { language });
  vi.resetModules();
  const money = await import('../../src/ui/money.ts');
  const time = await import('../../src/ui/time.ts');
  return { ...money, ...time };
}

describe('usableLocale', () => {
  it('keeps a valid tag, in canonical form', () => {
    expect(usableLocale('de-DE')).toBe('de-DE');
    expect(usableLocale('en-us')).toBe('en-US');
  });

  it.each(badTags)('falls back to the default locale for %j', (tag) => {
    expect(usableLocale(tag)).toBeUndefined();
  });
});

describe.each(badTags)('navigator.language %j', (language) => {
  it('still formats prices and times, in the default locale', async () => {
    const { formatCents, formatTime, formatEventTime } = await loadWithLanguage(language);
    expect(formatCents(1250)).toBe(defaultEuros(1250));
    const at = '2026-03-04T05:06:07.000Z';
    expect(formatTime(at)).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)));
    expect(formatEventTime(at)).toMatch(/06/);
  });

  it('still describes storage usage', async () => {
    const { describeUsage, formatBytes } = await import('../../src/ui/storage.ts');
    const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
    expect(formatBytes(1_234_567, language)).toBe(`${number.format(1.2)} MB`);
    expect(describeUsage({ usage: 950, quota: 1000 }, language).warning).toMatch(/95\s?% full/);
  });
});

describe('a valid navigator.language', () => {
  it('is still the one used', async () => {
    const { formatCents } = await loadWithLanguage('de-DE');
    expect(formatCents(1250)).toBe(new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(12.5));
  });
});
