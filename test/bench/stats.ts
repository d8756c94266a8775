// Small statistics and timing helpers for the page side.

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest rank: p95 of 300 samples is the 285th smallest.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** Lets the event loop and the IndexedDB backend settle between measurements. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Run-unique database names: a crashed earlier run can never collide with this one. */
const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
export const dbName = (what: string) => `bench-${what}-${runId}`;

export const log = (message: string) => console.log(message);

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));
