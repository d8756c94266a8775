// What the bench serves, on one origin: the real app built from the repo at `/` (as users get it),
// the bench pages under `/bench/` (the figures page, plus the pages the UI scenarios use to seed
// the app's database and to time a raw first render), and the probe injected into app pages.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
export const repoRoot = resolve(benchDir, '../..');

/** One chunk of Vite's build manifest (build.manifest). */
export interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
export type Manifest = Record<string, ManifestChunk>;

export interface Site {
  dir: string;
  /** Why the app did not build (it is being edited): the UI scenarios fail, the page ones still run. */
  appError?: string;
  /** The app's build manifest: which chunks index.html loads statically and which lazily. */
  manifest: Manifest;
  /** Per chunk of the app: each module's bytes in it (minified, before gzip). */
  modules: Record<string, Record<string, number>>;
  /** ui/probe.ts as a classic script, for addInitScript. */
  probe: string;
}

/**
 * The app with its own vite.config.ts, as `npm run build` makes it, plus a manifest; then the
 * bench pages and the probe next to it. `minify: false` (profiling) keeps function names in all;
 * `root`: the checkout the app is built from (another commit, for an A/B).
 */
export async function buildSite(minify: boolean, root = repoRoot): Promise<Site> {
  const dir = await mkdtemp(join(tmpdir(), 'cartlog-bench-site-'));
  const modules: Site['modules'] = {};
  const appError = await build({
    root,
    logLevel: 'silent',
    build: { outDir: dir, emptyOutDir: true, manifest: true, reportCompressedSize: false, ...(minify ? {} : { minify: false }) },
  }).then(
    (output) => {
      for (const out of [output].flat())
        if ('output' in out)
          for (const chunk of out.output)
            if (chunk.type === 'chunk') modules[chunk.fileName] = Object.fromEntries(Object.entries(chunk.modules).map(([id, m]) => [id, m.renderedLength]));
    },
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  const benchOut = join(dir, 'bench');
  const common = { root: benchDir, configFile: false, base: './', publicDir: false, logLevel: 'warn' } as const;
  await build({
    ...common,
    build: {
      outDir: benchOut,
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
      minify,
      rollupOptions: { input: ['index.html', 'ui/seed.html', 'ui/raw-boot.html', 'ui/sync-device.html'].map((page) => join(benchDir, page)) },
    },
  });
  await build({
    ...common,
    build: {
      outDir: benchOut,
      emptyOutDir: false,
      target: 'es2022',
      reportCompressedSize: false,
      minify,
      lib: { entry: join(benchDir, 'ui/probe.ts'), formats: ['iife'], name: 'cartlogProbe', fileName: () => 'probe.js' },
    },
  });
  const manifest = appError ? {} : (JSON.parse(await readFile(join(dir, '.vite/manifest.json'), 'utf8')) as Manifest);
  // The IIFE declares `var cartlogProbe`; say it is global, in case the script runs wrapped.
  const probe = `${await readFile(join(benchOut, 'probe.js'), 'utf8')}\nglobalThis.cartlogProbe = cartlogProbe;\n`;
  return { dir, manifest, modules, probe, ...(appError ? { appError } : {}) };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The figures page is cross-origin isolated (COOP + COEP), which gives performance.now() 5 µs
 * resolution instead of 100 µs: that matters for sub-millisecond command latencies. Its
 * subresources are same-origin, so they need no header. The app gets what src/server/app.ts
 * sends: hashed assets cached for good, everything else revalidated; no isolation.
 */
function headersFor(path: string): Record<string, string> {
  if (path === '/bench/' || path === '/bench/index.html')
    return { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
  return { 'cache-control': /^\/(bench\/)?assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache' };
}

/** A tiny static server on 127.0.0.1; two of them on one directory are two origins. */
export function serve(dir: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const path = normalize(join(dir, pathname));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    const ok = file.startsWith(dir) && (await stat(file).then((s) => s.isFile(), () => false));
    if (!ok) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', ...headersFor(pathname) });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

export const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
