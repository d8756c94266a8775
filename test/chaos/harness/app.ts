// The app the chaos suite runs: a real Vite build, served by the real server process
// (`src/server/cli.ts serve`), both from one snapshot of the sources in a temp folder — a copy
// of the working tree, or of a commit when CHAOS_SOURCE names one (e.g. CHAOS_SOURCE=HEAD while
// others edit the tree) — with node_modules linked to the project's. cli.ts serves `<its root>/dist`
// and rebuilds it when a source is newer, so the snapshot holds its own dist/: the project's
// dist/ is never touched, and an edit during a run changes nothing under test. One build per
// source state, shared by the suite's files (each runs in a process of its own) and pinned for
// the whole run. Another release (a rollback's previous one) is built the same way (releaseRoot).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** What the app and the server are made of (vite.config.ts imports from test/). */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json', 'test'];

let built: Promise<string> | undefined;

/** The snapshot's root, built (at most once per source state). */
export function appRoot(): Promise<string> {
  return (built ??= prepare(process.env.CHAOS_SOURCE));
}

async function prepare(revision: string | undefined): Promise<string> {
  prune();
  // The suite's files run in worker processes of one vitest process: the first file picks the
  // snapshot and pins it for the others, so a commit or an edit during the run changes nothing.
  const pin = join(tmpdir(), `cartlog-chaos-run-${runId()}`);
  const pinned = existsSync(pin) ? readFileSync(pin, 'utf8') : '';
  if (pinned && existsSync(join(pinned, 'dist', 'index.html'))) return pinned;
  const commit = revision ? commitOf(revision) : undefined;
  const root = snapshotRoot(commit);
  writeFileSync(pin, root);
  await snapshot(root, commit);
  return root;
}

/**
 * The root of another release's snapshot (e.g. the previous one, for a rollback): built from
 * `revision` once and kept like the suite's own, a commit being the same sources every time.
 * `builtMs` is how long its build took, undefined when an earlier run had built it.
 */
export async function releaseRoot(revision: string): Promise<{ root: string; builtMs?: number }> {
  const commit = commitOf(revision);
  const root = snapshotRoot(commit);
  const builtMs = await snapshot(root, commit);
  return { root, ...(builtMs === undefined ? {} : { builtMs }) };
}

/** The full commit `revision` names; a clone without it (a shallow one) says so instead of git's words. */
function commitOf(revision: string): string {
  try {
    return git('rev-parse', '--verify', '--quiet', `${revision}^{commit}`).trim();
  } catch {
    throw new Error(`the repository at ${projectRoot} has no commit ${revision} (a shallow clone? git fetch --unshallow brings it)`);
  }
}

const snapshotRoot = (commit: string | undefined) => join(tmpdir(), `cartlog-chaos-app-${commit ? commit.slice(0, 16) : worktreeKey()}`);

/** Copies and builds the sources into `root` unless a build is there; returns its time in ms when it built. */
async function snapshot(root: string, commit: string | undefined): Promise<number | undefined> {
  if (existsSync(join(root, 'dist', 'index.html'))) return undefined;
  // Timed from the copy on: what a scenario waits for a release it has not built yet.
  const started = Date.now();
  const staging = `${root}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  if (commit) execFileSync('sh', ['-c', `git archive ${commit} ${SOURCES.join(' ')} | tar -x -C "${staging}"`], { cwd: projectRoot });
  else for (const path of SOURCES) if (existsSync(join(projectRoot, path))) cpSync(join(projectRoot, path), join(staging, path), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(staging, 'node_modules'), 'dir');
  await build({ root: staging, build: { outDir: join(staging, 'dist'), emptyOutDir: true }, logLevel: 'warn' });
  const builtMs = Date.now() - started;
  // cli.ts rebuilds when a source is newer than dist/index.html: this build is the snapshot's.
  const future = new Date('2100-01-01T00:00:00Z');
  utimesSync(join(staging, 'dist', 'index.html'), future, future);
  try {
    renameSync(staging, root);
  } catch {
    // Another file of the suite built the same sources first: use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(`chaos: built the app from ${commit ? `commit ${commit.slice(0, 10)}` : 'the working tree'} in ${(builtMs / 1000).toFixed(1)} s`);
  return builtMs;
}

/** The vitest process (the workers' parent) and when it started: a pid alone may be reused. */
function runId(): string {
  try {
    // /proc/<pid>/stat: the start time is field 22, counted after the parenthesised command name.
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    return `${process.ppid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return String(process.ppid);
  }
}

/** Snapshots of earlier source states and pins of earlier runs, older than a day. */
function prune(): void {
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('cartlog-chaos-app-') && !name.startsWith('cartlog-chaos-run-')) continue;
    const path = join(tmpdir(), name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // another run pruned it first
    }
  }
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8' });
}

/** Names the working tree's sources as they are now (paths, sizes, mtimes). */
function worktreeKey(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.map((path) => join(projectRoot, path)).flatMap(files).sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(projectRoot, file)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
