// Prices are integer cents in EUR everywhere; only the page turns them into text, in the
// browser's locale (CONTRACT §6). Automation reads data-cents, never this text.
import { pageLocale } from './locale.ts';

const locale = pageLocale();
const euros = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });

export function formatCents(cents: number): string {
  return euros.format(cents / 100);
}
