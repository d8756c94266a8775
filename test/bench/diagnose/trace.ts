// Records every IndexedDB request and transaction as it is issued and as it completes, so one
// command's round trips can be laid side by side with the raw same-work's.

interface Mark {
  t: number;
  label: string;
}

const storeMethods = ['get', 'getAll', 'getAllKeys', 'getKey', 'put', 'add', 'delete', 'clear', 'count', 'openCursor', 'openKeyCursor'] as const;
const indexMethods = ['get', 'getAll', 'getAllKeys', 'getKey', 'count', 'openCursor', 'openKeyCursor'] as const;

type Patchable = Record<string, (...args: unknown[]) => unknown>;

/**
 * Patches the IndexedDB prototypes until `stop` is called; marks collect between `begin` and
 * `take`. Install it before opening a Dexie database: Dexie binds `transaction` when it opens.
 */
export function traceIndexedDb() {
  let marks: Mark[] = [];
  let start = performance.now();
  let recording = false;
  const restores: (() => void)[] = [];
  const mark = (label: string) => void (recording && marks.push({ t: performance.now() - start, label }));

  const wrap = (proto: object, method: string, nameOf: (self: unknown) => string) => {
    const target = proto as Patchable;
    const original = target[method];
    if (!original) return;
    target[method] = function (this: unknown, ...args: unknown[]) {
      const req = original.apply(this, args) as IDBRequest;
      if (!recording) return req;
      const label = `${method} ${nameOf(this)}`;
      mark(`→ ${label}`);
      req.addEventListener('success', () => mark(`← ${label}`));
      return req;
    };
    restores.push(() => (target[method] = original));
  };
  for (const m of storeMethods) wrap(IDBObjectStore.prototype, m, (s) => (s as IDBObjectStore).name);
  for (const m of indexMethods) wrap(IDBIndex.prototype, m, (i) => `${(i as IDBIndex).objectStore.name}.${(i as IDBIndex).name}`);
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<typeof transaction>) {
    const tx = transaction.apply(this, args);
    if (!recording) return tx;
    const label = `${tx.mode} [${[...tx.objectStoreNames].join(',')}]`;
    mark(`tx ${label}`);
    tx.addEventListener('complete', () => mark(`tx complete`));
    return tx;
  } as typeof transaction;
  restores.push(() => (IDBDatabase.prototype.transaction = transaction));

  return {
    begin() {
      marks = [];
      recording = true;
      start = performance.now();
    },
    mark,
    take() {
      recording = false;
      return marks;
    },
    stop: () => restores.forEach((restore) => restore()),
  };
}

/** The median offset of each step over runs that took the same steps (the most common sequence). */
export function medianTimeline(runs: readonly Mark[][]): string[] {
  const key = (run: readonly Mark[]) => run.map((m) => m.label).join('|');
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(key(run), (counts.get(key(run)) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const same = runs.filter((run) => key(run) === common);
  const steps = same[0]!.map((m, i) => {
    const times = same.map((run) => run[i]!.t).sort((a, b) => a - b);
    return { label: m.label, t: times[Math.floor(times.length / 2)]! };
  });
  return [`(${same.length} of ${runs.length} runs took these steps)`, ...steps.map((s) => `${s.t.toFixed(3).padStart(7)} ms  ${s.label}`)];
}
