// Plain IndexedDB, no Dexie: the physical baseline every figure is compared with.

export interface IndexSpec {
  name: string;
  keyPath: string | string[];
  unique?: boolean;
  multiEntry?: boolean;
}

export interface StoreSpec {
  keyPath: string | string[];
  autoIncrement?: boolean;
  indexes?: IndexSpec[];
}

export type Layout = Record<string, StoreSpec>;

/**
 * The object stores and indexes Dexie creates for src/es/db.ts's schema
 * (`++seq, &[streamId+first], *types` and so on), so a raw baseline pays for the same indexes.
 */
export const cartlogLayout: Layout = {
  pages: {
    keyPath: 'seq',
    autoIncrement: true,
    indexes: [
      { name: '[streamId+first]', keyPath: ['streamId', 'first'], unique: true },
      { name: 'types', keyPath: 'types', multiEntry: true },
    ],
  },
  streams: { keyPath: 'streamId' },
  readModels: { keyPath: ['projection', 'key'] },
  projections: { keyPath: 'name' },
  commands: { keyPath: 'commandId', indexes: [{ name: 'streamId', keyPath: 'streamId' }] },
};

/** One record per event: what the log would cost without pages. */
export const unpackedLayout: Layout = {
  events: {
    keyPath: 'seq',
    autoIncrement: true,
    indexes: [
      { name: '[streamId+version]', keyPath: ['streamId', 'version'], unique: true },
      { name: 'type', keyPath: 'type' },
    ],
  },
};

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Opens (creating with `layout` when new) a database; without a layout, opens whatever version is there. */
export function openRaw(name: string, layout?: Layout): Promise<IDBDatabase> {
  const req = layout ? indexedDB.open(name, 1) : indexedDB.open(name);
  req.onupgradeneeded = () => {
    if (!layout) return;
    for (const [storeName, spec] of Object.entries(layout)) {
      const store = req.result.createObjectStore(storeName, { keyPath: spec.keyPath, autoIncrement: spec.autoIncrement ?? false });
      for (const index of spec.indexes ?? [])
        store.createIndex(index.name, index.keyPath, { unique: index.unique ?? false, multiEntry: index.multiEntry ?? false });
    }
  };
  return request(req);
}

export function deleteRaw(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`deleting ${name} is blocked by an open connection`));
  });
}

/**
 * Open the database as it is (no schema), read one stream's head and the read-model row it
 * carries (src/es/head-rows.ts), close: the floor of a boot.
 */
export async function openAndGetHeadRow(name: string, streamId: string, projection: string): Promise<unknown> {
  const db = await openRaw(name);
  try {
    const head = (await request(db.transaction('streams', 'readonly').objectStore('streams').get(streamId))) as { rows?: Record<string, unknown> } | undefined;
    return head?.rows?.[projection];
  } finally {
    db.close();
  }
}
