import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

beforeAll(async () => {
  if (!existsSync('dist/node/index.js')) await run('node', ['scripts/build.mjs']);
});

describe("the README's graph training example", () => {
  it('runs as written and its loss falls', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /## Training with the graph API[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
    expect(block, 'README has a ```js block under "Training with the graph API"').not.toBeNull();
    const code = block![1]!;
    expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(22);
    // Run from the repository root: `import ... from 'langseg'` resolves to this package (self-reference).
    const { stdout } = await run('node', ['--input-type=module', '-e', code], { timeout: 300_000 });
    const losses = [...stdout.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(4);
    expect(losses[3]!).toBeLessThan(losses[0]! / 5);
    expect(stdout).toMatch(/plannedPeakBytes/);
  });
});
