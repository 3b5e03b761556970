/**
 * The browser-bundle checks every layer shares: bundle an entry point with esbuild for the browser (shaders
 * as text, Dawn external) and check that no Node built-in slipped in.
 */
import { build } from 'esbuild';
import { expect } from 'vitest';

/** The browser ESM bundle of `entry`, as text. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    loader: { '.wgsl': 'text' },
    // Dawn is loaded only in Node, by a dynamic import that a browser never reaches.
    external: ['webgpu'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** No import or require of a Node built-in in `code`. */
export function expectNoNodeBuiltins(code: string): void {
  expect(code).not.toMatch(/from\s+["']node:/);
  expect(code).not.toMatch(/require\(["'](fs|path|crypto|os|node:)/);
}
