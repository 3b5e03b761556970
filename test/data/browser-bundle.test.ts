import { describe, expect, it } from 'vitest';
import { bundleForBrowser, expectNoNodeBuiltins } from '../helpers/browser-bundle.js';

describe('src/data bundles for the browser', () => {
  it('with the codecs and no Node built-ins (the file-system readers in src/data/node are not reachable)', async () => {
    const code = await bundleForBrowser('src/data/index.ts');
    expect(code).toContain('maxMemoryUsageInMB'); // the jpeg-js decoder
    expect(code).toContain('IHDR');
    expectNoNodeBuiltins(code);
    expect(code).not.toMatch(/readdir|readFile/);
    // Only jpeg-js's decoder is imported: its encoder returns Node Buffers.
    expect(code).not.toMatch(/Buffer\.from/);
  });
});
