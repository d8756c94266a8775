// Reading many records by id when most are not there. A bulk append (an import, a new device's
// first sync) mostly brings streams this device has never stored, and IndexedDB answers a get per
// key with a request each, present or not. One key-only read over the ids' range says which exist;
// only those are then read.
import type { Table } from 'dexie';

/** Under this many ids a get each is as cheap as the key-only read: no range is read. */
const FEW = 8;

/**
 * The values of `table` under `ids` (undefined where absent), in their order. `prefix`: the
 * table's keys are `[prefix, id]` (a read model's rows), else they are the ids themselves.
 */
export async function getMany<V>(table: Table<V, any>, ids: readonly string[], prefix?: string): Promise<(V | undefined)[]> {
  const keyOf = (id: string): string | [string, string] => (prefix === undefined ? id : [prefix, id]);
  if (ids.length < FEW) return table.bulkGet(ids.map(keyOf));
  // Strings compare in IndexedDB as in JavaScript: by UTF-16 code unit.
  let [low, high] = [ids[0]!, ids[0]!];
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const keys = (await table.where(':id').between(keyOf(low), keyOf(high), true, true).primaryKeys()) as (string | [string, string])[];
  const stored = new Set(keys.map((key) => (typeof key === 'string' ? key : key[1])));
  const present = ids.filter((id) => stored.has(id));
  const values = present.length ? await table.bulkGet(present.map(keyOf)) : [];
  const byId = new Map(present.map((id, i) => [id, values[i]]));
  return ids.map((id) => byId.get(id));
}
