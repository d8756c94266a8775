// In each engine, with the language it really reports: WebKitGTK under LANG=C.UTF-8 says 'C',
// which Intl refuses — the money, time and storage figures must still format (in Intl's default
// locale) instead of throwing when their modules load.
import { describe, expect, it } from 'vitest';

describe(`formatting with navigator.language ${JSON.stringify(navigator.language)}`, () => {
  it('prices, times and the storage figure', async () => {
    const { formatCents } = await import('../../src/ui/money.ts');
    const { formatTime } = await import('../../src/ui/time.ts');
    const { describeUsage } = await import('../../src/ui/storage.ts');
    expect(formatCents(1250)).toMatch(/12[.,]50/);
    expect(formatTime('2026-03-04T05:06:07.000Z')).toMatch(/2026/);
    expect(describeUsage({ usage: 950, quota: 1000 }, navigator.language).warning).toMatch(/95\s?% full/);
  });
});
