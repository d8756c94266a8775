// `npm test`: the whole suite as phases, in the order that fails fastest — types, unit, the server
// suites, the browser project in each engine, the Chromium e2e suite, the core journeys in each
// engine, chaos. Each phase is one vitest run, timed; a table of the phases and one summary line
// per engine close the run.
//
//   npm test                              everything
//   npm test -- --engine=firefox          only what runs in Firefox (browser-firefox, journeys)
//   npm test -- --engine=chromium,webkit  …in those engines (Chromium adds e2e and chaos)
//   npm test -- --phase=unit,server       only those phases (names as in the table)
//   npm test -- test/ui/locale            further arguments go to every vitest run
//
// CARTLOG_PHASE_LOG=<file>: each phase's name and seconds are appended there too (.ci/run prints
// its own install phases and these in one budget at the end).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { engineNames, missingFor, installHint } = await tsImport('./engines/binaries.ts', import.meta.url);

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.error) console.error(`cannot run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function parseArgs(argv) {
  const options = { engines: [...engineNames], phases: undefined, vitest: [] };
  for (const arg of argv) {
    const [, key, value] = /^--(engine|phase)=(.*)$/.exec(arg) ?? [];
    if (key === 'engine') options.engines = value.split(',').filter(Boolean);
    else if (key === 'phase') options.phases = value.split(',').filter(Boolean);
    else options.vitest.push(arg);
  }
  const unknown = options.engines.filter((name) => !engineNames.includes(name));
  if (unknown.length) throw new Error(`unknown engine ${unknown.join(', ')}: choose from ${engineNames.join(', ')}`);
  options.engineOnly = argv.some((arg) => arg.startsWith('--engine='));
  return options;
}

/**
 * Finds each engine like Chromium always was: the env override or Debian's path; when missing,
 * installs Debian's package (only as root on Debian, and only when no override points elsewhere);
 * else says in one line how to get it.
 */
function ensureEngines(engines) {
  let ok = true;
  let updated = false;
  for (const engine of engines) {
    let missing = missingFor(engine);
    const canInstall = missing.length && missing.every((binary) => !process.env[binary.env]) && existsSync('/etc/debian_version') && process.getuid?.() === 0;
    if (canInstall) {
      const packages = [...new Set(missing.map((binary) => binary.debPackage))];
      console.log(`${engine} not found: installing Debian's ${packages.join(', ')}…`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      if (!updated) updated = run('apt-get', ['update'], env) === 0;
      run('apt-get', ['install', '-y', ...packages], env);
      missing = missingFor(engine);
    }
    if (missing.length) {
      console.error(installHint(engine, missing));
      ok = false;
    }
  }
  return ok;
}

function phasesFor({ engines, engineOnly }) {
  const has = (engine) => engines.includes(engine);
  const vitest = (...projects) => projects.flatMap((project) => ['--project', project]);
  const all = [
    { name: 'type check', command: ['npm', 'run', 'check'], vitest: false, engineless: true },
    // The server suites are timed on their own (PostgreSQL among them): the unit phase leaves them out.
    { name: 'unit', args: vitest('unit'), env: { CARTLOG_UNIT_EXCLUDE: 'test/server/**' }, engineless: true },
    { name: 'server', args: [...vitest('unit'), 'test/server/'], engineless: true },
    { name: 'browser chromium', args: vitest('browser'), engine: 'chromium' },
    { name: 'browser firefox', args: vitest('browser-firefox'), engine: 'firefox' },
    { name: 'browser webkit', args: vitest('browser-webkit'), engine: 'webkit' },
    // Playwright, Chromium only: the journeys below cover the three engines.
    { name: 'e2e', args: vitest('e2e'), engine: 'chromium' },
    { name: 'engines', args: [...vitest('engines'), ...engines.map((engine) => `test/engines/${engine}.test.ts`)], journeys: true },
    { name: 'chaos', args: vitest('chaos'), engine: 'chromium' },
  ];
  return all.filter((phase) => (phase.engine ? has(phase.engine) : phase.journeys ? engines.length > 0 : !engineOnly));
}

function readReport(path) {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every test of a vitest JSON report, with the engine it ran in when the title names one. */
function testsOf(report) {
  return (report?.testResults ?? []).flatMap((file) => file.assertionResults ?? []);
}

const countOf = (tests) => ({
  passed: tests.filter((test) => test.status === 'passed').length,
  failed: tests.filter((test) => test.status === 'failed').length,
  skipped: tests.filter((test) => ['skipped', 'pending', 'todo', 'disabled'].includes(test.status)).length,
});

const words = ({ passed, failed, skipped }) => `${passed} passed, ${failed} failed, ${skipped} skipped`;

/**
 * How many times a test was run again. Vitest's JSON report has no retry field, but a try that
 * fails leaves its error in the test's failureMessages also when a later try passes: a passed
 * test with failure messages passed on a retry (one message per failed try), a failed one ran
 * once more per message after its first. A retry hides a failure — a data loss in the chaos suite
 * once — so each is named in the summary, never folded into "passed".
 */
const retriesOf = (test) => {
  const failures = test.failureMessages?.length ?? 0;
  return test.status === 'passed' ? failures : Math.max(0, failures - 1);
};

function main() {
  const options = parseArgs(process.argv.slice(2));
  let phases = phasesFor(options);
  if (options.phases) {
    const known = phases.map((phase) => phase.name);
    const unknown = options.phases.filter((name) => !known.includes(name) && !known.some((phase) => phase.startsWith(`${name} `)));
    if (unknown.length) throw new Error(`unknown phase ${unknown.join(', ')}: choose from ${known.join(', ')}`);
    phases = phases.filter((phase) => options.phases.some((name) => phase.name === name || phase.name.startsWith(`${name} `)));
  }
  const engines = [...new Set(phases.flatMap((phase) => (phase.engine ? [phase.engine] : phase.journeys ? options.engines : [])))];
  if (!ensureEngines(engines)) return 1;
  if (!process.env.DATABASE_URL && phases.some((phase) => phase.name === 'server')) console.log('PostgreSQL tests skipped: DATABASE_URL is not set');

  const reports = mkdtempSync(join(tmpdir(), 'cartlog-test-'));
  const done = [];
  for (const [index, phase] of phases.entries()) {
    console.log(`\n==> ${phase.name}`);
    const started = Date.now();
    const report = join(reports, `${index}.json`);
    const status = phase.command
      ? run(phase.command[0], phase.command.slice(1))
      : run(
          'npx',
          ['vitest', 'run', ...phase.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...(options.vitest.length ? ['--passWithNoTests', ...options.vitest] : [])],
          { ...process.env, ...phase.env },
        );
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`<== ${phase.name}: ${seconds}s${status ? ` (failed, exit ${status})` : ''}`);
    if (process.env.CARTLOG_PHASE_LOG) appendFileSync(process.env.CARTLOG_PHASE_LOG, `${phase.name}\t${seconds}\n`);
    done.push({ ...phase, status, seconds, tests: phase.command ? undefined : testsOf(readReport(report)) });
    // Nothing else is worth running on code that does not type-check.
    if (status && phase.name === 'type check') break;
  }
  printSummary(done, options.engines);
  return done.some((phase) => phase.status) ? 1 : 0;
}

function printSummary(done, engines) {
  console.log('\nphase              time   tests');
  for (const phase of done) {
    const retried = (phase.tests ?? []).filter(retriesOf).length;
    const tests = phase.tests ? `${words(countOf(phase.tests))}${retried ? `, ${retried} retried` : ''}` : phase.status ? 'failed' : 'ok';
    console.log(`${phase.name.padEnd(18)} ${`${phase.seconds}s`.padStart(5)}   ${tests}`);
  }
  const total = done.reduce((sum, phase) => sum + phase.seconds, 0);
  console.log(`${'all'.padEnd(18)} ${`${total}s`.padStart(5)}`);

  // Skips say why in their titles (e.g. "— skipped in webkit: …"); list them.
  for (const test of done.flatMap((phase) => phase.tests ?? []).filter((test) => countOf([test]).skipped)) {
    console.log(`skipped: ${[...test.ancestorTitles, test.title].join(' › ')}`);
  }
  for (const engine of engines) {
    const browser = done.find((phase) => phase.name === `browser ${engine}`);
    const journeys = done.find((phase) => phase.journeys)?.tests?.filter((test) => ofEngine(test.ancestorTitles[0], engine));
    const parts = [];
    if (browser) parts.push(`browser ${words(countOf(browser.tests ?? []))}${browser.status && !countOf(browser.tests ?? []).failed ? ' (the run failed)' : ''}`);
    if (journeys) parts.push(`journeys ${words(countOf(journeys))}`);
    if (parts.length) console.log(`engine ${engine}: ${parts.join(' · ')}`);
  }
  const all = countOf(done.flatMap((phase) => phase.tests ?? []));
  // Just before the closing line, so a green run that needed a retry says so where it is read.
  const retried = done.flatMap((phase) => (phase.tests ?? []).filter(retriesOf).map((test) => ({ phase: phase.name, test })));
  const named = retried.map(({ phase, test }) => `${[phase, ...test.ancestorTitles, test.title].join(' › ')} (${test.status} after ${retriesOf(test)} ${retriesOf(test) === 1 ? 'retry' : 'retries'})`);
  console.log(`retried: ${retried.length}${named.length ? ` (${named.join('; ')})` : ''}`);
  // One plain closing line that any CI can read.
  console.log(`tests: ${words(all)}`);
}

/** The core journeys' describe is named after the engine, the page journeys' "<engine>: the page". */
function ofEngine(title, engine) {
  return title === engine || title?.startsWith(`${engine}:`);
}

process.exitCode = main();
