// The floor of a first render, on the same origin and database as the app: a page that opens the
// live database with plain IndexedDB, reads the current cart's read-model row and writes its count
// into the DOM. The bench reloads it beside the app and times both alike (probe.ts).
import { openAndGet } from '../raw/idb.ts';

const params = new URLSearchParams(location.search);
const row = (await openAndGet(params.get('db')!, ['cartView', params.get('cart')!])) as { value: { itemCount: number } } | undefined;
document.querySelector('[data-testid="cart-count"]')!.textContent = String(row?.value.itemCount ?? 'missing');
