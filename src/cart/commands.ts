// What a shopper asks of a cart (CONTRACT §3). The schema checks only shape and types, for
// commands read back from storage (a rebase re-runs journalled commands); whether a command is
// allowed is the decider's to say, with a message a shopper understands. The commandId travels
// beside the command, not inside it: idempotency is the store's concern, not the cart's.
import * as v from 'valibot';

const command = <const Type extends string, const Data extends v.ObjectEntries>(type: Type, data: Data) =>
  v.object({ type: v.literal(type), data: v.object(data) });

export const cartCommandSchema = v.variant('type', [
  command('OpenCart', { cartId: v.string(), name: v.string() }),
  command('RenameCart', { name: v.string() }),
  command('AddItem', { sku: v.string(), quantity: v.number() }),
  command('ChangeQuantity', { sku: v.string(), quantity: v.number() }),
  command('RemoveItem', { sku: v.string() }),
  command('ClearCart', {}),
  command('Checkout', {}),
  command('ArchiveCart', {}),
]);

export type CartCommand = v.InferOutput<typeof cartCommandSchema>;
export type CartCommandType = CartCommand['type'];
export type CartCommandOf<Type extends CartCommandType> = Extract<CartCommand, { type: Type }>;
