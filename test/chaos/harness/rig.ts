// What a chaos test file sets up: servers and devices made inside the tests, all closed and
// deleted after the file, whatever state a failure left them in.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll } from 'vitest';
import { launchDevice, type Device, type DeviceOptions } from './device.ts';
import { startServer, type ServerOptions, type SyncServer } from './server.ts';

export interface Rig {
  server: (options?: ServerOptions) => Promise<SyncServer>;
  device: (options?: DeviceOptions) => Promise<Device>;
}

export function useRig(): Rig {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('chaos: cleanup failed', error));
  });
  return {
    async server(options) {
      const server = await startServer(options);
      cleanups.push(async () => {
        await server.stop();
        rmSync(dirname(server.dataDir), { recursive: true, force: true });
      });
      return server;
    },
    async device(options) {
      const device = await launchDevice(options);
      cleanups.push(() => device.dispose());
      return device;
    },
  };
}
