// The device id goes into every event's meta (CONTRACT §2) and, later, into sync pushes: it must
// stay the same for this browser profile, so it is made once and kept beside the current cart.
import { v4 as uuidv4 } from 'uuid';
import { isUuid } from '../es/envelope.ts';

export const DEVICE_ID_KEY = 'cartlog:device-id';

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function deviceIdFrom(storage: KeyValueStorage): string {
  const stored = storage.getItem(DEVICE_ID_KEY);
  if (isUuid(stored)) return stored;
  // uuid's v4 falls back to getRandomValues where crypto.randomUUID is missing (plain-http hosts).
  const id = uuidv4();
  storage.setItem(DEVICE_ID_KEY, id);
  return id;
}
