// One driver per engine behind the same interface (types.ts).
import type { EngineName } from '../binaries.ts';
import { chromiumDriver } from './chromium.ts';
import { firefoxDriver } from './firefox.ts';
import type { EngineDriver } from './types.ts';
import { webkitDriver } from './webkit.ts';

export type { EngineDriver, Key, Profile, Tab } from './types.ts';

/** What a journey cannot do in an engine, and why: its skip line says so. */
export const engineGaps: Record<EngineName, { persistentProfile?: string }> = {
  chromium: {},
  firefox: {},
  webkit: { persistentProfile: 'MiniBrowser --automation keeps no data across sessions (an ephemeral profile)' },
};

export function launchEngine(name: EngineName): Promise<EngineDriver> {
  return { chromium: chromiumDriver, firefox: firefoxDriver, webkit: webkitDriver }[name]();
}
