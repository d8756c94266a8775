// Where the journeys' build records a tab's uncaught errors (global-setup.ts), and how to read them.
import type { Tab } from './driver/index.ts';

export const PAGE_ERRORS_KEY = 'cartlog-journeys:page-errors';

export function pageErrors(tab: Tab): Promise<string[]> {
  return tab.evaluate((key) => JSON.parse(sessionStorage.getItem(key) ?? '[]') as string[], PAGE_ERRORS_KEY);
}
