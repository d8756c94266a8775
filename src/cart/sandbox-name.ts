// How a sandbox database is named, apart from the importer: the page checks names at boot
// without loading the import code.
import { LIVE_DATABASE } from './carts.ts';

export const SANDBOX_PREFIX = `${LIVE_DATABASE}-sandbox-`;

export const isSandbox = (databaseName: string): boolean => databaseName.startsWith(SANDBOX_PREFIX);
