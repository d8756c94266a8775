// Times are stored as ISO strings (event meta.at); people read them in their own locale.
const locale = typeof navigator === 'undefined' ? undefined : navigator.language;
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  return dateTime.format(new Date(iso));
}
