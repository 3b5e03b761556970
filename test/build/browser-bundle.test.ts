import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the library bundles for the browser', () => {
  it('with every shader inlined and no Node built-ins', async () => {
    const result = await build({
      entryPoints: ['src/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      loader: { '.wgsl': 'text' },
      // Dawn is loaded only in Node, by a dynamic import that a browser never reaches.
      external: ['webgpu'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('fn gelu(x: f32)');
    expect(code).toContain('@compute @workgroup_size(WG_X, WG_Y, 1)');
    expect(code).not.toMatch(/from\s+["']node:/);
    expect(code).not.toMatch(/require\(["'](fs|path|node:)/);
    expect(code).not.toMatch(/readFileSync/);
  });
});
