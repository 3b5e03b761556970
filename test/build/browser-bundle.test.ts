import { existsSync, readFileSync } from 'node:fs';
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

  it('and so does the demo page with the library in it', async () => {
    const code = await bundleForBrowser('web/src/main.ts');
    expect(code).toContain('langsegDemo');
    expect(code).toContain('fn gelu(x: f32)');
    expectNoNodeBuiltins(code);
    expect(code).not.toMatch(/readFileSync|readFile\(/);
  });

  it('npm run build wrote dist/langseg.browser.js that way: its one bare import is the Dawn import a browser never reaches', () => {
    const file = 'dist/langseg.browser.js';
    expect(existsSync(file), `${file} is missing: run npm run build (npm test does)`).toBe(true);
    const code = readFileSync(file, 'utf8');
    expectNoNodeBuiltins(code);
    expect(code).not.toMatch(/readFileSync|readFile\(/);
    expect(code.match(/\bimport\(\s*["'][^"']+["']\s*\)|\bfrom\s*["'][^"']+["']/g)).toEqual(['import("webgpu")']);
    // The demo's code imports the library by name; web/index.html maps the name to the bundle above.
    expect(readFileSync('dist/web/demo.js', 'utf8')).toMatch(/from "langseg"/);
    expect(readFileSync('web/index.html', 'utf8')).toMatch(/"langseg": "\.\/dist\/langseg\.browser\.js"/);
  });

  it('npm run build wrote type declarations for both entries', () => {
    for (const file of ['dist/types/index.d.ts', 'dist/types/node.d.ts']) expect(existsSync(file), `${file}: run npm run build`).toBe(true);
    expect(readFileSync('dist/types/model/model.d.ts', 'utf8')).toMatch(/class LangSegModel/);
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, Record<string, string>> };
    expect(manifest.exports['.']).toMatchObject({ types: './dist/types/node.d.ts', browser: './dist/langseg.browser.js' });
  });
});
