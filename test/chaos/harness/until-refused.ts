// Adding one item at a time until the page refuses: each click waits, in the page, for what it
// led to — one more in the count, or a refusal — so a click that does neither is caught and
// named (a full disk once left clicks hanging for a minute).
import type { Page } from 'playwright';
import { addSelector } from './cart.ts';

/** How the page says a change was refused because storage is full (not "something went wrong"). */
export const STORAGE_FULL = /no room left to store|storage is full|disk is full/i;

export interface Refusal {
  /** Clicks made, the refused one (if any) included. */
  clicks: number;
  /** The count shown at the end. */
  shown: number;
  /** What error-message said ('' when nothing was refused). */
  refusal: string;
  /** The longest a click took to count or be refused, ms. */
  slowestMs: number;
  /** Why a click neither counted nor was refused within `answerMs` ('' when every click was answered). */
  stuck: string;
}

export function addUntilRefused(page: Page, skus: readonly string[], max: number, answerMs: number): Promise<Refusal> {
  return page.evaluate(
    async ({ selectors, max, answerMs }) => {
      const count = () => Number(document.querySelector('[data-testid="cart-count"]')?.textContent);
      const refusal = () => document.querySelector('[data-testid="error-message"]')?.textContent?.trim() ?? '';
      let slowestMs = 0;
      for (let i = 0; i < max; i++) {
        const was = count();
        const began = performance.now();
        document.querySelector<HTMLButtonElement>(selectors[i % selectors.length]!)!.click();
        const answered = await new Promise<boolean>((settled) => {
          const timer = setTimeout(() => (observer.disconnect(), settled(false)), answerMs);
          const check = () => (count() !== was || refusal() ? (observer.disconnect(), clearTimeout(timer), settled(true)) : undefined);
          const observer = new MutationObserver(check);
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          check();
        });
        slowestMs = Math.max(slowestMs, performance.now() - began);
        const base = { shown: count(), slowestMs, clicks: i + 1 };
        if (!answered) return { ...base, refusal: '', stuck: `click ${i + 1} neither counted nor was refused in ${answerMs} ms: ${document.querySelector('main')?.textContent?.slice(0, 300)}` };
        if (refusal()) return { ...base, refusal: refusal(), stuck: '' };
      }
      return { shown: count(), refusal: '', slowestMs, clicks: max, stuck: '' };
    },
    { selectors: skus.map(addSelector), max, answerMs },
  );
}
