import { describe, expect, it } from 'vitest';
import { bundleForBrowser, expectNoNodeBuiltins } from '../helpers/browser-bundle.js';

describe('src/descriptors bundles for the browser', () => {
  it('with the built-in sets inlined and no Node built-ins (node/ is reachable only from src/node.ts and the CLI)', async () => {
    const code = await bundleForBrowser('src/descriptors/index.ts');
    expect(code).toContain('a flat painted interior wall in white or beige'); // ade20k.json
    expect(code).toContain('a red fire hydrant on a sidewalk'); // cocostuff.json
    expect(code).toContain('/v1/chat/completions');
    expectNoNodeBuiltins(code);
  });
});
