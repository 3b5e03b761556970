/**
 * Chromium for the browser tests: Debian's /usr/bin/chromium (scripts/ensure-chromium installs it), driven
 * by playwright-core (which downloads no browser), headless with WebGPU on (SwiftShader, no GPU needed),
 * a fresh profile each launch, and a static server on 127.0.0.1 that serves the demo page, the bundles,
 * and whatever a test adds. Page errors and console errors are collected so a test can fail on them.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { serveStatic, type StaticRoute, type StaticServer } from '../../src/cli/static-server.js';
import { demoRoutes } from '../../src/cli/web.js';
import { bundleForBrowser } from '../helpers/browser-bundle.js';
import type { Harness } from './pages/harness.js';

export const CHROMIUM = process.env.LANGSEG_CHROMIUM ?? '/usr/bin/chromium';

/** WebGPU on; nothing that reaches the network or another profile. */
export const CHROMIUM_FLAGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Where the browser tests leave screenshots (git-ignored). */
export const RESULTS_DIR = 'test-results/browser';

export interface BrowserSession {
  server: StaticServer;
  context: BrowserContext;
  /** Errors thrown in pages and console.error lines, as they came. */
  errors: string[];
  /** A new page at `path` on the server; `beforeLoad` runs first (e.g. page.addInitScript). */
  open(path: string, beforeLoad?: (page: Page) => Promise<unknown>): Promise<Page>;
  close(): Promise<void>;
}

/** Start the server (demo routes plus `routes`) and a headless Chromium with a fresh profile. */
export async function startBrowser(routes: StaticRoute[] = []): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: run \`bash scripts/ensure-chromium\` (installs Debian's chromium as root), or set LANGSEG_CHROMIUM`);
  }
  for (const file of ['dist/langseg.browser.js', 'dist/web/demo.js']) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  }
  const server = await serveStatic([...demoRoutes(), ...routes]);
  const profile = mkdtempSync(join(tmpdir(), 'langseg-chromium-'));
  const errors: string[] = [];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1200, height: 900 },
    });
  } catch (e) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    server,
    context,
    errors,
    async open(path, beforeLoad) {
      const page = await context.newPage();
      await beforeLoad?.(page);
      page.on('pageerror', (e) => errors.push(`${path}: ${e.stack ?? e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${path}: console.error: ${m.text()}`);
      });
      await page.goto(new URL(path, server.url).href);
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The test page (test/browser/pages/harness.ts) bundled for the browser into a temporary folder with an
 * index.html, as a route at /harness/.
 */
export async function harnessRoute(): Promise<StaticRoute & { cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'langseg-harness-'));
  writeFileSync(join(dir, 'harness.js'), await bundleForBrowser('test/browser/pages/harness.ts'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>langseg harness</title><link rel="icon" href="data:,"><script type="module" src="harness.js"></script>\n');
  return { prefix: '/harness/', dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One browser per test file with the harness page served at /harness/ (as useRuntime does for a device). */
export function useHarnessBrowser(): { readonly session: BrowserSession } {
  const holder = {} as { session: BrowserSession };
  let cleanup = () => {};
  beforeAll(async () => {
    const route = await harnessRoute();
    cleanup = route.cleanup;
    holder.session = await startBrowser([route]);
  });
  afterAll(async () => {
    await holder.session?.close();
    cleanup();
  });
  return holder;
}

/** Call a method of the harness page's `langsegHarness` (functions cannot cross into the page, names can). */
export function callHarness<K extends keyof Harness>(page: Page, method: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>> {
  return page.evaluate(
    ([name, rest]) => (globalThis as unknown as { langsegHarness: Record<string, (...a: unknown[]) => unknown> }).langsegHarness[name]!(...rest),
    [method, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<Harness[K]>>>;
}
