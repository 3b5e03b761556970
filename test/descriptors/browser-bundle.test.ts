import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('src/descriptors bundles for the browser', () => {
  it('with the built-in sets inlined and no Node built-ins (node/ is reachable only from src/node.ts and the CLI)', async () => {
    const result = await build({ entryPoints: ['src/descriptors/index.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('a flat painted interior wall in white or beige'); // ade20k.json
    expect(code).toContain('a red fire hydrant on a sidewalk'); // cocostuff.json
    expect(code).toContain('/v1/chat/completions');
    expect(code).not.toMatch(/from\s+["']node:/);
    expect(code).not.toMatch(/require\(["'](fs|path|crypto|os|node:)/);
  });
});
