// What a chaos test file sets up: servers and devices made inside the tests, all closed and
// deleted after the file, whatever state a failure left them in.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright';
import { afterAll } from 'vitest';
import { openApp } from './cart.ts';
import { launchDevice, type Device, type DeviceOptions } from './device.ts';
import { startServer, type ServerOptions, type SyncServer } from './server.ts';
import { recordShown, type ShownRecord } from './shown.ts';

/** A device whose pages are recorded as they show changes done (shown.ts), with one tab open on the app. */
export interface Shopper {
  device: Device;
  shown: ShownRecord;
  page: Page;
}

export interface Rig {
  server: (options?: ServerOptions) => Promise<SyncServer>;
  device: (options?: DeviceOptions) => Promise<Device>;
  shopper: (appUrl: string, options?: Omit<DeviceOptions, 'onStart'>) => Promise<Shopper>;
}

export function useRig(): Rig {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('chaos: cleanup failed', error));
  });
  const device: Rig['device'] = async (options) => {
    const launched = await launchDevice(options);
    cleanups.push(() => launched.dispose());
    return launched;
  };
  return {
    async server(options) {
      const server = await startServer(options);
      cleanups.push(async () => {
        await server.stop();
        rmSync(dirname(server.dataDir), { recursive: true, force: true });
      });
      return server;
    },
    device,
    async shopper(appUrl, options) {
      const shown = recordShown();
      const launched = await device({ ...options, onStart: shown.attach });
      return { device: launched, shown, page: await openApp(launched.context(), appUrl) };
    },
  };
}
