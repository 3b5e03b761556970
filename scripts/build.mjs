// Build dist/ with esbuild (WGSL inlined as text, so no bundle reads files at run time):
//   dist/node/               the library, the CLI and the benchmarks for Node (ESM)
//   dist/langseg.browser.js  the library for browsers (ESM, no Node built-ins)
//   dist/web/demo.js         the demo page's code; it imports 'langseg', which web/index.html maps to the browser bundle
//   dist/types/              type declarations (tsc), rebuilt only when a source file is newer
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'esm',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  logLevel: 'warning',
};

await build({
  ...common,
  platform: 'node',
  target: 'node20',
  entryPoints: { index: 'src/node.ts', cli: 'src/cli/main.ts', bench: 'bench/main.ts' },
  outdir: 'dist/node',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Dawn's native addon and the TF.js comparison stay real node_modules imports.
  external: ['webgpu', '@tensorflow/*', 'benchmark'],
});

await build({
  ...common,
  platform: 'browser',
  target: 'es2022',
  entryPoints: ['src/index.ts'],
  outfile: 'dist/langseg.browser.js',
  // Dawn is loaded only in Node (src/device/node-gpu.ts), by a dynamic import a browser never reaches.
  external: ['webgpu'],
});

await build({
  ...common,
  platform: 'browser',
  target: 'es2022',
  entryPoints: ['web/src/main.ts'],
  outfile: 'dist/web/demo.js',
  external: ['langseg'],
});

/** Newest modification time of the .ts files under `dir`. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) time = Math.max(time, newest(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) time = Math.max(time, statSync(path).mtimeMs);
  }
  return time;
}

const stamp = 'dist/types/index.d.ts';
if (!existsSync(stamp) || statSync(stamp).mtimeMs < newest('src')) {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    // tsc writes declarations even on errors; drop the stamp so the next build checks again.
    rmSync(stamp, { force: true });
    console.error('build: the bundles are written, but the type declarations have errors (above); fix them, then build again');
    process.exit(tsc.status ?? 1);
  }
}
