// What every journey module shares (journeys.ts and those the page and sync-trust work add): one
// browser of the engine and one server per engine file, fresh profiles per journey, and after each
// journey every tab it opened asked for uncaught errors (global-setup.ts records them) — none allowed.
//
// A journey module exports `function somethingJourneys(engine: EngineName)` that calls
// `useEngine(engine)` inside a describe named after the engine; each engine file calls it.
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { EngineName } from './binaries.ts';
import { appReady } from './cart.ts';
import { engineGaps, launchEngine, type EngineDriver, type Profile, type Tab } from './driver/index.ts';
import { pageErrors } from './page-errors.ts';
import { startServer, type JourneyServer } from './server.ts';

export interface User {
  /** A tab on `origin` (default: the engine file's server), once the app shows a cart. */
  open(origin?: string): Promise<Tab>;
  /** Closes this profile's browser, after checking its tabs. */
  close(): Promise<void>;
}

export interface EngineJourneys {
  /** The build the servers serve (startServer(app) gives a journey a server of its own). */
  app: string;
  server: () => JourneyServer;
  driver: () => EngineDriver;
  gaps: (typeof engineGaps)[EngineName];
  /** A fresh profile (one user's storage); `make` gives another kind, e.g. a persistent one. */
  user(make?: () => Promise<Profile>): Promise<User>;
}

export function useEngine(engine: EngineName): EngineJourneys {
  const app = inject('journeyApp');
  let driver: EngineDriver;
  let server: JourneyServer;
  const opened: { profile: Profile; tabs: Tab[]; closed: boolean }[] = [];

  beforeAll(async () => {
    driver = await launchEngine(engine);
    server = await startServer(app);
  });
  afterAll(async () => {
    await driver?.close();
    await server?.dispose();
  });
  afterEach(async () => {
    const errors: string[] = [];
    for (const entry of opened.splice(0)) {
      if (entry.closed) continue;
      for (const tab of entry.tabs) errors.push(...(await pageErrors(tab).catch(() => [])));
      await entry.profile.close();
    }
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  return {
    app,
    server: () => server,
    driver: () => driver,
    gaps: engineGaps[engine],
    async user(make = () => driver.profile()) {
      const entry = { profile: await make(), tabs: [] as Tab[], closed: false };
      opened.push(entry);
      return {
        async open(origin = server.origin) {
          const tab = await entry.profile.open(`${origin}/`);
          entry.tabs.push(tab);
          await appReady(tab);
          return tab;
        },
        async close() {
          for (const tab of entry.tabs) expect(await pageErrors(tab), 'uncaught errors in the page').toEqual([]);
          entry.closed = true;
          await entry.profile.close();
        },
      };
    },
  };
}
