import { describe, expect, it } from 'vitest';
import { bundleForBrowser, expectNoNodeBuiltins } from '../helpers/browser-bundle.js';

describe('the library bundles for the browser', () => {
  it('with every shader inlined and no Node built-ins', async () => {
    const code = await bundleForBrowser('src/index.ts');
    expect(code).toContain('fn gelu(x: f32)');
    expect(code).toContain('@compute @workgroup_size(WG_X, WG_Y, 1)');
    expectNoNodeBuiltins(code);
    expect(code).not.toMatch(/readFileSync/);
  });
});
