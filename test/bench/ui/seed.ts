// The seeding page: served on the app's origin, it fills the app's live database with a history
// and makes one cart of it current, so the app's next load opens that cart.
import { LIVE_DATABASE } from '../../../src/cart/database-names.ts';
import { CURRENT_CART_KEY } from '../../../src/ui/stored-keys.ts';
import { seedHistory } from '../scenarios/history.ts';

export interface Seeded {
  database: string;
  cartId: string;
  version: number;
  itemCount: number;
  lines: number;
}

export interface SeedApi {
  /** `events` events in the live database, `current` of them the current cart's. */
  seedLive: (events: number, current: number) => Promise<Seeded>;
}

const api: SeedApi = {
  async seedLive(events, current) {
    const view = await seedHistory(LIVE_DATABASE, events, current);
    localStorage.setItem(CURRENT_CART_KEY, view.cartId);
    return { database: LIVE_DATABASE, cartId: view.cartId, version: view.version, itemCount: view.itemCount, lines: view.lines.length };
  },
};

(window as unknown as { seed: SeedApi }).seed = api;
document.body.dataset.ready = 'true';
