// UI 4. First-load JavaScript: a cold profile opens the app; when the cart shows and add-to-cart
// is enabled, the page's Resource Timing lists what it fetched so far. Every JavaScript file of
// them that index.html loads statically (Vite's manifest: the entry and its static imports, not
// dynamic imports) is gzipped at level 9 and summed. Service workers are blocked in the bench's
// profiles, so the worker's own script and its precache never count.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ScenarioOutput } from '../result.ts';
import { round } from '../stats.ts';
import type { Manifest } from '../site.ts';
import { openPage, withBrowser, type UiScenario } from './context.ts';

const KB = 1000;
const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** The files index.html loads without a dynamic import: its entry chunk and their static imports. */
function staticFiles(manifest: Manifest): Set<string> {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    chunk.imports?.forEach(visit);
  };
  Object.keys(manifest).filter((key) => manifest[key]!.isEntry).forEach(visit);
  return files;
}

/** Where a module's bytes come from: its package, or its folder of src/. */
function source(id: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)?.[1] ?? /\/(src\/[^/]+)\//.exec(id)?.[1] ?? 'other';
}

/**
 * The counted chunks' gzipped bytes shared out by source, in proportion to each module's rendered
 * (pre-minify) length: an estimate of where first-load bytes go, the heaviest first.
 */
function bySource(modules: Record<string, Record<string, number>>, chunks: { file: string; gzip: number }[]): string {
  const gz = new Map<string, number>();
  for (const chunk of chunks) {
    const lengths = Object.entries(modules[chunk.file] ?? {});
    const total = lengths.reduce((sum, [, n]) => sum + n, 0);
    for (const [id, n] of lengths) gz.set(source(id), (gz.get(source(id)) ?? 0) + (chunk.gzip * n) / total);
  }
  return [...gz]
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => `${name} ≈${round(bytes / KB, 1)}`)
    .join(', ');
}

/** Dexie's own minified build, for scale. */
async function dexieGzipped(): Promise<number> {
  const require = createRequire(import.meta.url);
  const dist = join(require.resolve('dexie'), '..');
  return gzipped(await readFile(join(dist, 'modern/dexie.min.mjs')).catch(() => readFile(join(dist, 'dexie.min.js'))));
}

export const firstLoadScenario: UiScenario = (env) =>
  withBrowser(env, async (context) => {
    const page = await openPage(context, `${env.origins[0]}/`);
    const ready = await page.waitForFunction(() => {
      const add = document.querySelector<HTMLButtonElement>('[data-testid="add-to-cart"]');
      if (!document.querySelector('[data-testid="cart-count"]') || !add || add.disabled) return undefined;
      const at = performance.now();
      const fetched = [...new Set(performance.getEntriesByType('resource').filter((e) => e.startTime <= at).map((e) => e.name))];
      return { at, fetched };
    });
    const { at, fetched } = (await ready.jsonValue())!;

    const statics = staticFiles(env.site.manifest);
    const files = await Promise.all(
      fetched
        .map((url) => new URL(url))
        .filter((url) => url.origin === env.origins[0])
        .map(async (url) => {
          const file = url.pathname.slice(1);
          const bytes = await readFile(join(env.site.dir, file));
          return { file, bytes: bytes.length, gzip: gzipped(bytes), js: /\.m?js$/.test(file), lazy: !statics.has(file) };
        }),
    );
    const js = files.filter((f) => f.js && !f.lazy);
    const kb = (bytes: number) => round(bytes / KB, 1);
    const sum = (list: typeof files, key: 'bytes' | 'gzip') => list.reduce((total, f) => total + f[key], 0);
    const notes = [
      `ui.firstLoadJs: cart interactive ${round(at, 1)} ms after navigation start; ${js.length} JavaScript files, ${kb(sum(js, 'bytes'))} KB minified, ${kb(sum(js, 'gzip'))} KB gzipped (-9, 1 KB = 1000 B)`,
      ...files.map((f) => `ui.firstLoadJs   ${f.file}: ${kb(f.bytes)} KB, ${kb(f.gzip)} KB gz${f.js ? (f.lazy ? ' (dynamic import: not counted)' : '') : ' (not JavaScript: not counted)'}`),
      `ui.firstLoadJs by source (KB gz, estimated from module sizes): ${bySource(env.site.modules, js)}`,
      ...[...statics].filter((file) => !files.some((f) => f.file === file)).map((file) => `ui.firstLoadJs   ${file}: static in the manifest, not fetched before interactive`),
      `ui.firstLoadJs for scale: Dexie's minified build alone ${kb(await dexieGzipped())} KB gz`,
    ];
    return { results: [{ name: 'ui.firstLoadJs', unit: 'KB', value: sum(js, 'gzip') / KB }], notes } satisfies ScenarioOutput;
  });
