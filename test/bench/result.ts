// What a scenario hands back to the runner (from the bench page, or from Node for ui/): the figures
// of CONTRACT §7 plus notes for the log.
import { percentile } from './stats.ts';

export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  /** Raw IndexedDB doing the same work in the same run. */
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
}

export interface ScenarioOutput {
  results: BenchResult[];
  /** Context for a reader of the log (sizes, counts, secondary figures); not part of the JSON. */
  notes: string[];
}

export interface PageInfo {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/** What main.ts puts on `window.bench`. */
export interface BenchApi {
  scenarios: string[];
  diagnostics: string[];
  info: () => PageInfo;
  run: (scenario: string) => Promise<ScenarioOutput>;
}

export function compare(name: string, unit: string, value: number, baseline: number): BenchResult {
  return { name, unit, value, baseline, ratio: value / baseline };
}

/** `name.p50` and `name.p95` of `samples`, each beside the same percentile of `baseline`. */
export function comparePercentiles(name: string, unit: string, samples: readonly number[], baseline: readonly number[]): BenchResult[] {
  return [50, 95].map((p) => compare(`${name}.p${p}`, unit, percentile(samples, p), percentile(baseline, p)));
}
