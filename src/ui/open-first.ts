// Imported first of all by main.ts, so it runs before the rest of the page's script is evaluated:
// the live database starts opening, and the carts the page will show first are read the moment it
// is open (es/early-open.ts). The store takes that open over when the session opens.
import { LIVE_DATABASE } from '../cart/database-names.ts';
import { openEarly } from '../es/early-open.ts';
import { NATIVE_VERSION } from '../es/schema.ts';
import { SANDBOX_KEY, storedCarts } from './stored-keys.ts';

try {
  // A tab that shows a sandbox opens that database instead, by the usual path (workspace.ts).
  if (!sessionStorage.getItem(SANDBOX_KEY)) openEarly(LIVE_DATABASE, NATIVE_VERSION, storedCarts(localStorage));
} catch {
  // The browser refuses its storage here (some private modes): the session opens as usual.
}
