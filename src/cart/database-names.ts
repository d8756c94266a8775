// The names of the device's databases, apart from the cart code: the page checks them, and opens
// the live one, before the rest of its script has loaded (ui/open-first.ts).
export const LIVE_DATABASE = 'cartlog';

export const SANDBOX_PREFIX = `${LIVE_DATABASE}-sandbox-`;

export const isSandbox = (databaseName: string): boolean => databaseName.startsWith(SANDBOX_PREFIX);
