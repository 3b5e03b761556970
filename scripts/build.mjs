// Bundle the library, the CLI and the benchmarks for Node with esbuild. WGSL is inlined as text.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  // Dawn's native addon and the TF.js comparison stay real node_modules imports.
  external: ['webgpu', '@tensorflow/*', 'benchmark'],
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { index: 'src/node.ts', cli: 'src/cli/main.ts', bench: 'bench/main.ts' },
  outdir: 'dist/node',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
