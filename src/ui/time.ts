// Times are stored as ISO strings (event meta.at); people read them in their own locale.
import { pageLocale } from './locale.ts';

const locale = pageLocale();
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

// Events of one session are seconds apart: a history row shows the seconds, not the year.
const eventTime = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatEventTime(iso: string): string {
  return eventTime.format(new Date(iso));
}
