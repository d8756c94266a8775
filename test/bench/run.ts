// `npm run bench`: builds the app and the bench pages (production Vite builds, so timings are those
// of the shipped code), serves them on 127.0.0.1, runs every scenario in headless Chromium with an
// on-disk profile (IndexedDB on disk, as users have it), prints the table and writes
// bench-results.json (CONTRACT §7). It reports targets; it never fails on one. It fails when a
// scenario throws. Page scenarios (command, bulk, boot, rebuild, time-travel, import) run inside
// the bench page; UI scenarios (ui-*) drive the real app from here, each in a fresh profile (ui/);
// `sync` runs the real sync server in this process (sync.ts; PostgreSQL too when DATABASE_URL is set);
// `sync-converge` serves the site and /v1 from one real server to two Chromium profiles (sync-converge.ts).
//
//   npm run bench                     every scenario, writes bench-results.json
//   npm run bench -- --only=command,ui-append   some scenarios, prints only
//   npm run bench -- --diagnose       adds the diagnostics (where the time goes) after the figures
//   npm run bench -- --only=profile-execute,profile-same-work --profile
//                                     unminified build, CPU profile of each scenario: self time by function
//   npm run bench -- --only=ui-append --profile    the same for the app page over the measured clicks
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright';
import { chromiumArgs, chromiumPath, hasChromium } from '../chromium.ts';
import type { BenchApi, BenchResult } from './result.ts';
import { profiled } from './cpu-profile.ts';
import { buildSite, originOf, repoRoot, serve } from './site.ts';
import { uiScenarios as appScenarios, type UiEnv } from './ui/index.ts';
import { serverPushScenario } from './server-push.ts';
import { syncScenario } from './sync.ts';
import { syncConvergeScenario } from './sync-converge.ts';
import { firstSyncScenario } from './first-sync.ts';
import type { UiScenario } from './ui/context.ts';

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
  'command.addItem.vsNaiveDexie': { better: 'lower', target: 'ratio ≤ 1.0', met: (r) => r.ratio! <= 1 },
  'command.addItem.vsNaiveDexie.p95': { better: 'lower' },
  // The command's transaction after a real click vs back to back in a loop, same page (ui-append).
  'command.addItem.inPage.vsLoop': { better: 'lower', target: '≤ 1.5', met: (r) => r.value <= 1.5 },
  'command.addItem.strict.p50': { better: 'lower' },
  'command.addItem.relaxed.p50': { better: 'lower' },
  'command.addItem.strictVsRelaxed.p50': { better: 'lower' },
  'command.addItem.strictVsRelaxed.p95': { better: 'lower' },
  'bulk.append': { better: 'higher', target: 'ratio ≥ 0.7', met: (r) => r.ratio! >= 0.7 },
  'bulk.append.vsSameWrites': { better: 'higher' },
  'bulk.append.vsUnpacked': { better: 'higher' },
  'boot.1k': { better: 'lower' },
  'boot.10k': { better: 'lower' },
  'boot.100k': { better: 'lower', target: '≤ 50 ms', met: (r) => r.value <= 50 },
  'boot.ratio.100k_1k': { better: 'lower', target: '≤ 1.5', met: (r) => r.value <= 1.5 },
  rebuild: { better: 'higher', target: '≥ 100 000 events/s', met: (r) => r.value >= 100_000 },
  'ui.appendToDom.p50': { better: 'lower' },
  'ui.appendToDom.p95': { better: 'lower', target: '≤ 16 ms', met: (r) => r.value <= 16 },
  'ui.firstRender.100': { better: 'lower' },
  'ui.firstRender.100k': { better: 'lower' },
  'ui.firstRender.ratio': { better: 'lower', target: '≤ 1.5', met: (r) => r.value <= 1.5 },
  'ui.switchCart.1000.p50': { better: 'lower', target: '≤ 30 ms', met: (r) => r.value <= 30 },
  'ui.switchCart.1000.p95': { better: 'lower' },
  'ui.tabToTab.p50': { better: 'lower' },
  'ui.tabToTab.p95': { better: 'lower', target: '< 100 ms', met: (r) => r.value < 100 },
  'ui.firstLoadJs': { better: 'lower', target: '≤ 80 KB gzipped', met: (r) => r.value <= 80 },
  'history.open100k': { better: 'lower', target: '≤ 500 ms', met: (r) => r.value <= 500 },
  'history.firstRows100k': { better: 'lower', target: '≤ 100 ms', met: (r) => r.value <= 100 },
  // The store's part of the first rows (time-travel), and the panel's whole log read (click → slider).
  'history.firstRows100k.store': { better: 'lower' },
  'history.wholeLog100k': { better: 'lower' },
  'import.100k.vsSameWork': { better: 'higher' },
  'history.jump.p95': { better: 'lower', target: '≤ 16 ms', met: (r) => r.value <= 16 },
  'history.jump.engine.p95': { better: 'lower' },
  'history.step.p95': { better: 'lower', target: '≤ 2 ms', met: (r) => r.value <= 2 },
  'import.100k': { better: 'higher' },
  'sync.push.sqlite': { better: 'higher' },
  'sync.pull.sqlite': { better: 'higher' },
  'sync.push.postgres': { better: 'higher' },
  'sync.pull.postgres': { better: 'higher' },
  'sync.converge.1k': { better: 'lower' },
  'sync.firstSync.100k': { better: 'lower', target: 'ratio ≤ 2', met: (r) => r.ratio! <= 2 },
  'sync.firstSync.100k.longestStall': { better: 'lower', target: '≤ 50 ms', met: (r) => r.value <= 50 },
  'server.push.sqlite.1user': { better: 'higher' },
  'server.push.sqlite.8users': { better: 'higher' },
  'server.push.postgres.1user': { better: 'higher' },
  'server.push.postgres.8users': { better: 'higher' },
  'server.push.postgres.1user.lockWait': { better: 'lower' },
  'server.push.postgres.8users.lockWait': { better: 'lower' },
};

/** Scenarios driven from Node in fresh profiles: the ui-* ones on the app, and sync-converge (two devices, real server). */
const uiScenarios: Record<string, UiScenario> = { ...appScenarios, 'sync-converge': syncConvergeScenario, 'sync-first': firstSyncScenario };

/** Scenarios that run in Node alone (no browser): the sync server's throughput. */
const nodeScenarios: Record<string, () => Promise<{ results: BenchResult[]; notes: string[] }>> = {
  sync: syncScenario,
  'server-push': serverPushScenario,
};

function parseOnly(): string[] | undefined {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--only='));
  return arg?.slice('--only='.length).split(',').filter(Boolean);
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

// ---- formatting -------------------------------------------------------------------------------

function rounded(value: number, unit: string): number {
  if (unit === 'events/s') return Math.round(value);
  return Number(value.toFixed(3));
}

function show(value: number | undefined, unit: string): string {
  if (value === undefined) return '';
  if (unit === 'events/s') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(unit === 'x' ? 2 : unit === 'KB' ? 1 : 3);
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
  // Other work on the machine moves every figure; the log says how busy it was.
  const loadAtStart = loadavg()[0]!;
  const profiling = process.argv.includes('--profile');
  const site = await buildSite(!profiling);
  if (site.appError) console.error(`bench: the app did not build, so the ui-* scenarios cannot run:\n${site.appError}`);
  // Two origins on one directory: the first-render scenario keeps a history in each.
  const servers = [await serve(site.dir), await serve(site.dir)] as const;
  const uiEnv: UiEnv = { site, origins: [originOf(servers[0]), originOf(servers[1])], profile: profiling };
  const profile = await mkdtemp(join(tmpdir(), 'cartlog-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), args: chromiumArgs, headless: true });
  const failures: string[] = [];
  const results: BenchResult[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => console.log(`  · ${message.text()}`));
    page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
    await page.goto(`${uiEnv.origins[0]}/bench/index.html`);
    await page.waitForSelector('body[data-ready="true"]');
    const api = bench(page);
    const info = await api.info();
    if (!info.crossOriginIsolated) console.warn('bench: page is not cross-origin isolated; performance.now() is coarse (100 µs)');
    const diagnose = process.argv.includes('--diagnose');
    const names = only ?? [...(await api.scenarios()), ...Object.keys(uiScenarios), ...Object.keys(nodeScenarios), ...(diagnose ? await api.diagnostics() : [])];

    for (const name of names) {
      const t0 = Date.now();
      console.log(`bench: ${name}…`);
      try {
        const ui = uiScenarios[name];
        if (ui && site.appError) throw new Error('the app did not build');
        const node = nodeScenarios[name];
        const run = () => withTimeout(node ? node() : ui ? ui(uiEnv) : api.run(name), SCENARIO_TIMEOUT_MS, `scenario ${name}`);
        // A UI scenario profiles the app page itself, around its measured part.
        const output = profiling && !ui && !node ? await profiled(await context.newCDPSession(page), run) : await run();
        // The bench page logs its notes as it goes; a UI scenario runs here.
        if (ui || node) output.notes.forEach((note) => console.log(`  · ${note}`));
        results.push(...output.results);
        console.log(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        failures.push(name);
        console.error(`bench: scenario ${name} failed: ${(error as Error).message}`);
        // A scenario that timed out may still be running: start the next one on a fresh page.
        if (uiScenarios[name] || nodeScenarios[name]) continue;
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
    const load = `load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`;
    console.log(`\n${environment.browser}, ${environment.cpus} CPUs, ${environment.date}; total ${((Date.now() - started) / 1000).toFixed(0)} s; ${load}\n`);
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
    servers.forEach((server) => server.close());
    await rm(profile, { recursive: true, force: true });
    await rm(site.dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error);
  return 1;
});
