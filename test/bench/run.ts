// `npm run bench`: builds the bench page (a production Vite build, so timings are those of the
// shipped code), serves it on 127.0.0.1, runs every scenario in headless Chromium with an on-disk
// profile (IndexedDB on disk, as users have it), prints the table and writes bench-results.json
// (CONTRACT §7). It reports targets; it never fails on one. It fails when a scenario throws.
//
//   npm run bench                     every scenario, writes bench-results.json
//   npm run bench -- --only=command   some scenarios, prints only
//   npm run bench -- --diagnose       adds the diagnostics (where the time goes) after the figures
//   npm run bench -- --only=profile-execute,profile-same-work --profile
//                                     unminified build, CPU profile of each scenario: self time by function
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';
import { build } from 'vite';
import { chromiumArgs, chromiumPath, hasChromium } from '../chromium.ts';
import type { BenchApi, BenchResult, ScenarioOutput } from './result.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(benchDir, '../..');
const SCENARIO_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  better: 'lower' | 'higher';
  target?: string;
  met?: (r: BenchResult) => boolean;
}

const expectations: Record<string, Expectation> = {
  'command.addItem.p50': { better: 'lower', target: 'ratio ≤ 1.5', met: (r) => r.ratio! <= 1.5 },
  'command.addItem.p95': { better: 'lower' },
  'command.addItem.p50.vsFloor': { better: 'lower' },
  'bulk.append': { better: 'higher', target: 'ratio ≥ 0.7', met: (r) => r.ratio! >= 0.7 },
  'bulk.append.vsSameWrites': { better: 'higher' },
  'bulk.append.vsUnpacked': { better: 'higher' },
  'boot.1k': { better: 'lower' },
  'boot.10k': { better: 'lower' },
  'boot.100k': { better: 'lower', target: '≤ 50 ms', met: (r) => r.value <= 50 },
  'boot.ratio.100k_1k': { better: 'lower', target: '≤ 1.5', met: (r) => r.value <= 1.5 },
  rebuild: { better: 'higher', target: '≥ 100 000 events/s', met: (r) => r.value >= 100_000 },
};

function parseOnly(): string[] | undefined {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--only='));
  return arg?.slice('--only='.length).split(',').filter(Boolean);
}

async function buildPage(minify: boolean): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'cartlog-bench-site-'));
  await build({
    root: benchDir,
    configFile: false,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, minify },
  });
  return outDir;
}

const contentTypes: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * A tiny static server. Cross-origin isolation (COOP + COEP) gives performance.now() 5 µs
 * resolution instead of 100 µs, which matters for sub-millisecond command latencies.
 */
function serve(dir: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    const ok = file.startsWith(dir) && (await stat(file).then((s) => s.isFile(), () => false));
    if (!ok) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const bench = (page: Page) => ({
  info: () => page.evaluate(() => (window as unknown as { bench: BenchApi }).bench.info()),
  scenarios: () => page.evaluate(() => (window as unknown as { bench: BenchApi }).bench.scenarios),
  diagnostics: () => page.evaluate(() => (window as unknown as { bench: BenchApi }).bench.diagnostics),
  run: (name: string) => page.evaluate((n) => (window as unknown as { bench: BenchApi }).bench.run(n), name),
});

// ---- CPU profile ------------------------------------------------------------------------------

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time by function (name and line), the heaviest first. */
function selfTimes(profile: CpuProfile, top = 25): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const frame = byNode.get(id)!.callFrame;
    const file = frame.url.split('/').pop() ?? '';
    const key = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const busy = [...self.entries()].filter(([key]) => key !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
  return [
    `profile: ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms not idle`,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => `  ${ms.toFixed(1).padStart(8)} ms  ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${key}`),
  ];
}

// ---- formatting -------------------------------------------------------------------------------

function rounded(value: number, unit: string): number {
  if (unit === 'events/s') return Math.round(value);
  return Number(value.toFixed(3));
}

function show(value: number | undefined, unit: string): string {
  if (value === undefined) return '';
  if (unit === 'events/s') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(unit === 'x' ? 2 : 3);
}

function rows(results: readonly BenchResult[]): string[][] {
  return results.map((r) => {
    const e = expectations[r.name];
    const verdict = e?.met ? (e.met(r) ? 'met' : 'missed') : '';
    return [
      r.name,
      show(r.value, r.unit),
      r.unit,
      show(r.baseline, r.unit),
      r.ratio === undefined ? '' : r.ratio.toFixed(2),
      e ? `${e.better} is better` : '',
      e?.target ? `${e.target} (${verdict})` : '',
    ];
  });
}

const HEADER = ['result', 'value', 'unit', 'raw IndexedDB', 'ratio', 'better', 'target'];

function textTable(results: readonly BenchResult[]): string {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 || i >= 5 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(results).map(line)].join('\n');
}

function markdownTable(results: readonly BenchResult[]): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map((_, i) => (i >= 1 && i <= 4 ? '---:' : '---'))), ...rows(results).map(line)].join('\n');
}

/** The full version (the user agent string is reduced to 156.0.0.0). */
async function browserName(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const { product } = (await cdp.send('Browser.getVersion')) as { product: string };
  await cdp.detach();
  return `Chromium ${/[\d.]+$/.exec(product)?.[0] ?? product} (headless, on-disk profile)`;
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!hasChromium()) {
    console.error(`bench: no Chromium at ${chromiumPath()} — install Debian's chromium package or set CHROMIUM_PATH.`);
    return 1;
  }
  const only = parseOnly();
  const started = Date.now();
  const profiling = process.argv.includes('--profile');
  const site = await buildPage(!profiling);
  const server = await serve(site);
  const profile = await mkdtemp(join(tmpdir(), 'cartlog-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), args: chromiumArgs, headless: true });
  const failures: string[] = [];
  const results: BenchResult[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => console.log(`  · ${message.text()}`));
    page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
    await page.waitForSelector('body[data-ready="true"]');
    const api = bench(page);
    const info = await api.info();
    if (!info.crossOriginIsolated) console.warn('bench: page is not cross-origin isolated; performance.now() is coarse (100 µs)');
    const diagnose = process.argv.includes('--diagnose');
    const names = only ?? [...(await api.scenarios()), ...(diagnose ? await api.diagnostics() : [])];

    for (const name of names) {
      const t0 = Date.now();
      console.log(`bench: ${name}…`);
      try {
        const cdp = profiling ? await context.newCDPSession(page) : undefined;
        await cdp?.send('Profiler.enable');
        await cdp?.send('Profiler.setSamplingInterval', { interval: 100 });
        await cdp?.send('Profiler.start');
        const output: ScenarioOutput = await withTimeout(api.run(name), SCENARIO_TIMEOUT_MS, `scenario ${name}`);
        if (cdp) {
          const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
          selfTimes(profile).forEach((line) => console.log(`  ${line}`));
          await cdp.detach();
        }
        results.push(...output.results);
        console.log(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        failures.push(name);
        console.error(`bench: scenario ${name} failed: ${(error as Error).message}`);
        // A scenario that timed out may still be running: start the next one on a fresh page.
        await page.reload();
        await page.waitForSelector('body[data-ready="true"]');
      }
    }

    const left = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    if (left.length) console.warn(`bench: databases left behind: ${left.join(', ')}`);

    const environment = { browser: await browserName(page), cpus: cpus().length, date: new Date().toISOString() };
    const json = {
      environment,
      results: results.map((r) => ({
        name: r.name,
        unit: r.unit,
        value: rounded(r.value, r.unit),
        ...(r.baseline === undefined ? {} : { baseline: rounded(r.baseline, r.unit), ratio: Number(r.ratio!.toFixed(3)) }),
      })),
    };
    console.log(`\n${environment.browser}, ${environment.cpus} CPUs, ${environment.date}; total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    console.log(textTable(results));
    console.log('\nREADME table (ratio = value / raw IndexedDB doing the same work in the same run):\n');
    console.log(markdownTable(results));
    if (failures.length) {
      console.error(`\nbench: ${failures.join(', ')} failed; bench-results.json not written`);
      return 1;
    }
    if (only || profiling) console.log(`\nbench: ${only ? '--only' : '--profile'} given; bench-results.json not written`);
    else {
      await writeFile(join(repoRoot, 'bench-results.json'), `${JSON.stringify(json, null, 2)}\n`);
      console.log('\nbench: wrote bench-results.json');
    }
    return 0;
  } finally {
    await context.close();
    server.close();
    await rm(profile, { recursive: true, force: true });
    await rm(site, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error);
  return 1;
});
