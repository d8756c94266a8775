// The locale the page formats numbers and dates in. Browsers pass the OS language through:
// WebKitGTK under LANG=C.UTF-8 says navigator.language is 'C', and every Intl constructor throws
// on a tag it cannot parse — at module load that leaves a blank page. An invalid or empty tag
// means "no preference": undefined lets Intl use its own default locale.

export function usableLocale(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag === '') return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The browser's language when Intl accepts it, else undefined (Intl's default). */
export function pageLocale(): string | undefined {
  return usableLocale(typeof navigator === 'undefined' ? undefined : navigator.language);
}
