// Looking at the page as people do (issue 11): in each state, at a desktop and a phone width, axe
// finds no serious or critical WCAG 2.1 A/AA violation, nothing scrolls sideways, and a screenshot
// is saved to test-results/screens/ (git-ignored) to be looked at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright';
import { expect } from 'vitest';

export const WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 360, height: 740 },
] as const;

export const SCREENS = join(process.cwd(), 'test-results', 'screens');

export interface Finding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** Serious and critical violations of WCAG 2.1 A/AA on the page as it is now. */
export async function axeFindings(page: Page): Promise<Finding[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** How far the page scrolls sideways (0 = not at all). */
export const sidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * The state at both widths: axe clean, no sideways scroll, a screenshot each. `settle` runs after
 * each resize (a state that depends on layout, e.g. a dialog, is re-checked after it).
 */
export async function lookAt(page: Page, state: string, settle?: () => Promise<void>): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  // The pointer of the last click would leave a hover border in the picture.
  await page.mouse.move(0, 0);
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await settle?.();
    // Layout and the sticky parts settle within a frame or two.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect({ state, width: size.width, findings: await axeFindings(page) }).toEqual({ state, width: size.width, findings: [] });
    expect({ state, width: size.width, sideways: await sidewaysScroll(page) }).toEqual({ state, width: size.width, sideways: 0 });
    await page.screenshot({ path: join(SCREENS, `${state}-${size.name}.png`) });
  }
  // The journey goes on at the desktop width.
  await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
  await settle?.();
}

/** WCAG contrast ratio of two CSS colours (rgb/rgba strings as getComputedStyle gives them). */
export function contrast(a: string, b: string): number {
  const lum = (color: string) => {
    const [r, g, bl] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The focus ring of the element the keyboard reached: its outline colour and the opaque
 * background it is drawn on (the nearest ancestor with one).
 */
export function focusRing(page: Page): Promise<{ testid: string | null; style: string; outline: string; behind: string }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    let behind = 'rgb(255, 255, 255)';
    for (let node = element.parentElement; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (bg && !/rgba\(.*, 0\)$/.test(bg) && bg !== 'transparent') {
        behind = bg;
        break;
      }
    }
    return { testid: element.getAttribute('data-testid'), style: style.outlineStyle, outline: style.outlineColor, behind };
  });
}
