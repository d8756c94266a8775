// The floor of a first render, on the same origin and database as the app: a page that opens the
// live database with plain IndexedDB, reads the current cart's head (its view rides in it) and
// writes its count into the DOM. The bench reloads it beside the app and times both alike
// (probe.ts).
import { openAndGetHeadRow } from '../raw/idb.ts';

const params = new URLSearchParams(location.search);
const view = (await openAndGetHeadRow(params.get('db')!, params.get('cart')!, 'cartView')) as { itemCount: number } | undefined;
document.querySelector('[data-testid="cart-count"]')!.textContent = String(view?.itemCount ?? 'missing');
