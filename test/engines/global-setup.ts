// The journeys drive what users get: a real Vite build, served by the real app (server.ts). The
// build gets one addition, a first classic script in <head> that records every uncaught error and
// unhandled rejection in the tab's sessionStorage — the one way to see "no uncaught page error"
// the same in all three engines (classic WebDriver has no page-error events), and it keeps what
// happened before a reload.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';
import type { TestProject } from 'vitest/node';
import { PAGE_ERRORS_KEY } from './page-errors.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The build the journeys' servers serve. */
    journeyApp: string;
  }
}

function recordPageErrors(): Plugin {
  const script = `(function () {
  var key = ${JSON.stringify(PAGE_ERRORS_KEY)};
  function keep(text) {
    try {
      var seen = JSON.parse(sessionStorage.getItem(key) || '[]');
      seen.push(String(text));
      sessionStorage.setItem(key, JSON.stringify(seen));
    } catch (ignored) {}
  }
  addEventListener('error', function (event) {
    // Not an exception: the browser says it will deliver the remaining resize observations next
    // frame (WebKit reports it while the history list measures its rows).
    if (/^ResizeObserver loop/.test(event.message)) return;
    keep((event.message || 'error') + (event.filename ? ' at ' + event.filename + ':' + event.lineno : ''));
  });
  addEventListener('unhandledrejection', function (event) { var r = event.reason; keep('unhandled rejection: ' + (r && (r.stack || r.message) || r)); });
})();`;
  return {
    name: 'cartlog-journeys:record-page-errors',
    transformIndexHtml: () => [{ tag: 'script', children: script, injectTo: 'head-prepend' }],
  };
}

export async function setup(project: TestProject): Promise<() => void> {
  const temp = mkdtempSync(join(tmpdir(), 'cartlog-journeys-'));
  const outDir = join(temp, 'dist');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  await build({ root, build: { outDir, emptyOutDir: true }, plugins: [recordPageErrors()], logLevel: 'warn' });
  project.provide('journeyApp', outDir);
  return () => rmSync(temp, { recursive: true, force: true });
}
