import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import type { BrowserProviderOption } from 'vitest/node';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { VitePWA } from 'vite-plugin-pwa';
import { chromiumPath, chromiumArgs } from './test/chromium.ts';
import { firefoxBidi, webkitGtk } from './test/engines/vitest/providers.ts';

// The store conformance suite and every *.browser.test.ts, once per engine. Vitest wants one
// provider per project, so each engine is a project: `browser` (Chromium, as before),
// `browser-firefox` and `browser-webkit`; `--project 'browser*'` runs all three.
function browserProject(name: string, browser: { browser: 'chromium' | 'firefox' | 'webkit'; headless: boolean; provider: BrowserProviderOption }): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      include: ['test/**/*.browser.test.ts'],
      browser: { enabled: true, headless: browser.headless, provider: browser.provider, instances: [{ browser: browser.browser }] },
    },
  };
}

export default defineConfig({
  // Relative asset paths: dist/ works from any sub-path of any static host.
  base: './',
  plugins: [
    svelte(),
    // The app shell works offline after one visit. Every URL is relative, so the service worker
    // lives next to index.html and its scope is whatever folder the app was deployed to.
    VitePWA({
      registerType: 'prompt',
      // src/pwa/register.ts registers it once the page is idle; nothing goes into index.html.
      injectRegister: false,
      // Workbox's production build even when NODE_ENV says otherwise (vitest sets 'test'), so the
      // e2e tests drive the same service worker users get.
      mode: 'production',
      scope: './',
      manifest: {
        name: 'cartlog',
        short_name: 'cartlog',
        description: 'A shopping cart that lives in your browser: every change is kept as an event.',
        id: './',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#f4f6f9',
        theme_color: '#1f4f8f',
        lang: 'en',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'maskable-icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The manifest and its icons are added by the plugin itself.
        globPatterns: ['**/*.{html,js,css}', 'apple-touch-icon.png'],
        navigateFallback: 'index.html',
        // The sync API is never the app shell, and never cached: /v1 goes to the network.
        navigateFallbackDenylist: [/\/v1(\/|\?|$)/],
        runtimeCaching: [],
        // The first visit's page is claimed at once, so it is offline-ready without a reload. A
        // later version waits until the user chooses to reload (the update banner).
        clientsClaim: true,
        skipWaiting: false,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  resolve: {
    // Dexie's package entry (import-wrapper.mjs) wraps its ES5 UMD build, 202 KB before minifying;
    // its modern ES module is the same library, ~9 KB smaller minified and quicker to compile
    // before the database opens. The same build everywhere: app, tests and bench.
    alias: [{ find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' }],
  },
  // Every engine we support has <link rel=modulepreload>: no polyfill ahead of the app's code.
  build: { target: 'es2022', modulePreload: { polyfill: false } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          // test/run.mjs times the server suites as a phase of their own: its unit phase sets
          // CARTLOG_UNIT_EXCLUDE=test/server/** and runs them next with `--project unit test/server`.
          exclude: ['test/**/*.browser.test.ts', 'test/e2e/**', 'test/chaos/**', 'test/engines/**', ...(process.env.CARTLOG_UNIT_EXCLUDE?.split(',') ?? [])],
          setupFiles: ['test/setup-node.ts'],
        },
      },
      browserProject('browser', {
        browser: 'chromium',
        headless: true,
        provider: playwright({ launchOptions: { executablePath: chromiumPath(), args: chromiumArgs } }),
      }),
      browserProject('browser-firefox', { browser: 'firefox', headless: true, provider: firefoxBidi() }),
      // WebKitGTK has no headless mode: it runs on an Xvfb display of its own.
      browserProject('browser-webkit', { browser: 'webkit', headless: false, provider: webkitGtk() }),
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // CI machines are shared and busy: what the page shows may take seconds to settle.
          // Waits are generous so load slows the suite down instead of failing it.
          // One retry for a test that fails once: these drive real browsers on shared 2-core machines.
          // npm test's summary names every test that needed it and counts them (test/run.mjs,
          // "retried:"): treat each as a bug or a race until shown otherwise (README, "Known gaps").
          retry: 1,
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        extends: true,
        test: {
          // The core journeys (test/engines/journeys.ts) in Chromium, Firefox and WebKit, through
          // one engine-neutral driver, against the built app and the real server. One engine file
          // at a time: each drives a whole browser on a 2-core machine.
          name: 'engines',
          environment: 'node',
          include: ['test/engines/*.test.ts'],
          globalSetup: ['test/engines/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 150_000,
          hookTimeout: 120_000,
          // One retry for a test that fails once: these drive real browsers on shared 2-core machines.
          // npm test's summary names every test that needed it and counts them (test/run.mjs,
          // "retried:"): treat each as a bug or a race until shown otherwise (README, "Known gaps").
          retry: 1,
          expect: { poll: { timeout: 20_000 } },
        },
      },
      {
        extends: true,
        test: {
          // Faults on purpose (killed browsers and servers, flapping networks, full disks) against
          // real Chromium profiles and the real server. One file at a time: each owns the machine.
          name: 'chaos',
          environment: 'node',
          include: ['test/chaos/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // No retry: a scenario that loses data once has lost it, and a retry would turn that
          // into a green run. A fault the suite cannot reproduce every time is still a finding.
          expect: { poll: { timeout: 20_000 } },
        },
      },
    ],
  },
});
