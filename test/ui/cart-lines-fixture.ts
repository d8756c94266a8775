// A cart view with the given lines (SKU → quantity), each line named `Name <sku>`, for the
// tests of the page's cart (its lines, blockers, announcements).
import type { CartView } from '../../src/cart/projections.ts';

export function cartWith(lines: [sku: string, quantity: number][], extra: Partial<CartView> = {}, unitPrice = 100): CartView {
  const viewLines = lines.map(([sku, quantity]) => ({ sku, name: `Name ${sku}`, unitPrice, quantity, lineTotal: unitPrice * quantity }));
  return {
    cartId: 'cart-1',
    name: 'My cart',
    status: 'open',
    lines: viewLines,
    total: viewLines.reduce((sum, line) => sum + line.lineTotal, 0),
    itemCount: viewLines.reduce((sum, line) => sum + line.quantity, 0),
    version: 3,
    openedAt: '2026-11-27T06:00:00.000Z',
    updatedAt: '2026-11-27T06:00:00.000Z',
    ...extra,
  };
}
