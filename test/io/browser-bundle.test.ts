import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('src/io bundles for the browser', () => {
  it('with no Node built-ins (checkpoint-file.ts, the Node-only part, is not reachable from it)', async () => {
    const result = await build({
      entryPoints: ['src/io/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('langseg-checkpoint');
    expect(code).not.toMatch(/from\s+["']node:/);
    expect(code).not.toMatch(/require\(["'](fs|path|crypto|node:)/);
    expect(code).not.toMatch(/\bBuffer\b/);
  });
});
