import { describe, expect, it } from 'vitest';
import { bundleForBrowser, expectNoNodeBuiltins } from '../helpers/browser-bundle.js';

describe('src/io bundles for the browser', () => {
  it('with no Node built-ins (checkpoint-file.ts, the Node-only part, is not reachable from it)', async () => {
    const code = await bundleForBrowser('src/io/index.ts');
    expect(code).toContain('langseg-checkpoint');
    expectNoNodeBuiltins(code);
    expect(code).not.toMatch(/\bBuffer\b/);
  });
});
