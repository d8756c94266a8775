// How much of the browser's storage the log uses (CONTRACT §6 storage-usage). A full disk is the
// one failure a shopper can do something about before it happens, so the page warns early.
// The estimate is asked again after writes — here or in another tab — but at most every
// `interval` ms: estimate() walks the origin's storage and a burst of clicks should not pay
// for that each time.

import { usableLocale } from './locale.ts';

export const WARN_RATIO = 0.8;

/** What navigator.storage.estimate() answers; either figure may be missing. */
export interface StorageEstimateLike {
  usage?: number | undefined;
  quota?: number | undefined;
}

export interface StorageUsage {
  /** e.g. "1.2 MB of 2.1 GB used"; says so when the browser gives no figures. */
  text: string;
  /** usage / quota, or undefined when either is unknown. */
  ratio: number | undefined;
  /** Set above WARN_RATIO: what the shopper should know and can do. */
  warning: string | undefined;
}

// Decimal units, as disks and browsers' own settings pages count.
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number, locale?: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // Whole bytes need no decimals; above that one decimal is all a person reads.
  const digits = unit === 0 ? 0 : 1;
  return `${new Intl.NumberFormat(usableLocale(locale), { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}

export function describeUsage(estimate: StorageEstimateLike | undefined, locale?: string): StorageUsage {
  const { usage, quota } = estimate ?? {};
  if (usage === undefined) return { text: 'This browser does not say how much storage is used.', ratio: undefined, warning: undefined };
  if (!quota) return { text: `${formatBytes(usage, locale)} used`, ratio: undefined, warning: undefined };
  const ratio = usage / quota;
  const percent = new Intl.NumberFormat(usableLocale(locale), { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
  return {
    text: `${formatBytes(usage, locale)} of ${formatBytes(quota, locale)} used`,
    ratio,
    warning:
      ratio > WARN_RATIO
        ? `Storage is ${percent} full: new changes will soon be refused. Free space for this site in the browser's settings.`
        : undefined,
  };
}

export interface StorageWatchOptions {
  /** navigator.storage.estimate, or undefined where the browser lacks it. */
  estimate: (() => Promise<StorageEstimateLike>) | undefined;
  /** Called after every write to the log (the event store's change feed). */
  onWrite: (listener: () => void) => () => void;
  onUsage: (usage: StorageUsage) => void;
  intervalMs?: number;
  locale?: string;
}

/**
 * Reports usage at once, then after writes: the first write in a quiet spell is measured at once,
 * later ones are gathered into one measurement when the interval has passed, so the last write
 * is always counted. Returns the stop function.
 */
export function watchStorageUsage(options: StorageWatchOptions): () => void {
  const { estimate, onUsage, intervalMs = 2000, locale } = options;
  let stopped = false;
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function measure() {
    last = Date.now();
    let result: StorageEstimateLike | undefined;
    try {
      result = await estimate?.();
    } catch {
      // Some browsers refuse in private modes: the same as not knowing.
    }
    if (!stopped) onUsage(describeUsage(result, locale));
  }

  function written() {
    if (timer !== undefined || stopped) return;
    const wait = last + intervalMs - Date.now();
    if (wait <= 0) void measure();
    else
      timer = setTimeout(() => {
        timer = undefined;
        void measure();
      }, wait);
  }

  void measure();
  const unsubscribe = options.onWrite(written);
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  };
}
