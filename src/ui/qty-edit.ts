// A typed quantity (CONTRACT §6 line-qty): what the shopper typed, read as a quantity before it
// becomes a ChangeQuantity. Only what cannot be a command at all is refused here (not a whole
// number); 0 or 100 go to the decider, which says why in the words it uses everywhere.
export type TypedQuantity = { ok: true; quantity: number } | { ok: false; reason: string };

export function readQuantity(text: string): TypedQuantity {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed)) return { ok: false, reason: `“${trimmed}” is not a quantity: type a whole number from 1 to 99.` };
  return { ok: true, quantity: Number(trimmed) };
}
