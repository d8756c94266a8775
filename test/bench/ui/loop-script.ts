// Builds command-loop.ts as a classic script (window.cartlogLoop) for page.addScriptTag: the
// command path as the app ships it (production build, minified unless profiling).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const uiDir = fileURLToPath(new URL('.', import.meta.url));

export async function loopScript(minify: boolean): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'cartlog-bench-loop-'));
  try {
    await build({
      root: uiDir,
      configFile: false,
      publicDir: false,
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        reportCompressedSize: false,
        minify,
        lib: { entry: join(uiDir, 'command-loop.ts'), formats: ['iife'], name: 'cartlogLoop', fileName: () => 'loop.js' },
      },
    });
    return `${await readFile(join(outDir, 'loop.js'), 'utf8')}\nglobalThis.cartlogLoop = cartlogLoop;\n`;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
