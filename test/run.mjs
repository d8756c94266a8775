// `npm test`: the whole suite, in the order that fails fastest — types, then every vitest project
// (unit in Node, browser and e2e in Chromium). Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL_HINT =
  'cartlog tests need Chromium: install Debian\'s "chromium" package (apt-get install chromium) or set CHROMIUM_PATH.';

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.error) console.error(`cannot run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function ensureChromium() {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(path)) return true;
  // Only Debian's package lands at /usr/bin/chromium; installing it can't help a CHROMIUM_PATH elsewhere.
  const canInstall = !process.env.CHROMIUM_PATH && existsSync('/etc/debian_version') && process.getuid?.() === 0;
  if (canInstall) {
    console.log('Chromium not found: installing Debian\'s "chromium" package…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update'], env) === 0) run('apt-get', ['install', '-y', 'chromium'], env);
    if (existsSync(path)) return true;
  }
  console.error(INSTALL_HINT);
  return false;
}

function main() {
  if (!ensureChromium()) return 1;
  const checked = run('npm', ['run', 'check']);
  if (checked !== 0) return checked;
  if (!process.env.DATABASE_URL) console.log('PostgreSQL tests skipped: DATABASE_URL is not set');
  const report = join(mkdtempSync(join(tmpdir(), 'cartlog-test-')), 'vitest.json');
  const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
  printTally(report);
  return status;
}

// One plain closing line ("tests: N passed, N failed, N skipped") that any CI can read.
function printTally(report) {
  if (!existsSync(report)) return;
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`);
}

process.exitCode = main();
