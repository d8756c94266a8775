// The UI scenarios: driven from Node through Playwright against the real built app, each in a
// fresh browser profile (context.ts), unlike the page scenarios that run inside the bench page.
import { appendToDomScenario } from './append.ts';
import type { UiScenario } from './context.ts';
import { firstLoadScenario } from './first-load.ts';
import { firstRenderScenario } from './first-render.ts';
import { historyJumpScenario } from './history-jump.ts';
import { switchCartScenario } from './switch-cart.ts';
import { tabToTabScenario } from './tabs.ts';

export const uiScenarios: Record<string, UiScenario> = {
  'ui-append': appendToDomScenario,
  'ui-render': firstRenderScenario,
  'ui-tabs': tabToTabScenario,
  'ui-load': firstLoadScenario,
  'ui-history-jump': historyJumpScenario,
  'ui-switch-cart': switchCartScenario,
};

export type { UiEnv } from './context.ts';
