import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('src/data bundles for the browser', () => {
  it('with the codecs and no Node built-ins (the file-system readers in src/data/node are not reachable)', async () => {
    const result = await build({
      entryPoints: ['src/data/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('maxMemoryUsageInMB'); // the jpeg-js decoder
    expect(code).toContain('IHDR');
    expect(code).not.toMatch(/from\s+["']node:/);
    expect(code).not.toMatch(/require\(["'](fs|path|crypto|node:)/);
    expect(code).not.toMatch(/readdir|readFile/);
    // Only jpeg-js's decoder is imported: its encoder returns Node Buffers.
    expect(code).not.toMatch(/Buffer\.from/);
  });
});
