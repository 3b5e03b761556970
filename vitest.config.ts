import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

/** Import .wgsl files as strings, the same as esbuild's `text` loader does for the bundles. */
function wgslText(): Plugin {
  return {
    name: 'wgsl-text',
    async load(id) {
      if (!id.endsWith('.wgsl')) return null;
      return `export default ${JSON.stringify(await readFile(id, 'utf8'))};`;
    },
  };
}

export default defineConfig({
  plugins: [wgslText()],
  // The demo page's modules import the library as 'langseg' (tsconfig paths): the sources, not dist/.
  resolve: { alias: [{ find: /^langseg$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // One WebGPU device per test file; lavapipe uses every core, so files run one at a time.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
