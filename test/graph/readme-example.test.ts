import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

beforeAll(async () => {
  if (!existsSync('dist/node/index.js')) await run('node', ['scripts/build.mjs']);
});

/** Run the first ```js block under README heading `heading` from the repository root; its stdout. */
async function runReadmeBlock(heading: string, maxLines: number): Promise<string> {
  const readme = readFileSync('README.md', 'utf8');
  const block = new RegExp(`## ${heading}[\\s\\S]*?\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
  expect(block, `README has a \`\`\`js block under "${heading}"`).not.toBeNull();
  const code = block![1]!;
  expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(maxLines);
  // Run from the repository root: `import ... from 'langseg'` resolves to this package (self-reference).
  const { stdout } = await run('node', ['--input-type=module', '-e', code], { timeout: 600_000 });
  return stdout;
}

describe("the README's LangSeg model example", () => {
  it('runs as written: the loss falls, an unseen class set segments, the model saves', async () => {
    const stdout = await runReadmeBlock('The LangSeg model', 20);
    const losses = [...stdout.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(4);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    expect(stdout).toMatch(/4096 \[ 'water', 'sand' \] \d+ checkpoint bytes/);
  });
});

describe("the README's graph training example", () => {
  it('runs as written and its loss falls', async () => {
    const stdout = await runReadmeBlock('Training with the graph API', 22);
    const losses = [...stdout.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(4);
    expect(losses[3]!).toBeLessThan(losses[0]! / 5);
    expect(stdout).toMatch(/plannedPeakBytes/);
  });
});
