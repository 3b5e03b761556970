/**
 * Security of the describe -> train path, end to end: `describe` sends only the class names inside the
 * fixed prompt, to the endpoint the user named and nowhere else; the API key comes from the environment
 * variable, goes in the Authorization header only, and is in no log line and no byte of the descriptor
 * file, the cache, or a training run's folder (checkpoint included); class names that look like paths
 * make no file outside the output folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../src/data/synthetic/dataset.js';
import { descriptorPrompt } from '../../src/descriptors/llm-prompt.js';
import { runCli } from '../helpers/cli.js';
import { recordFigures } from '../helpers/reliability-figures.js';
import { descriptorsReply, startChatServer, type RecordedRequest } from '../descriptors/fake-chat-server.js';

const KEY = 'sk-reliability-SECRET-7f3a9c';
const sandbox = mkdtempSync(join(tmpdir(), 'langseg-security-'));
afterAll(() => {
  delete process.env.LANGSEG_SECURITY_KEY;
  rmSync(sandbox, { recursive: true, force: true });
});

/** Every file under `dir`, with its bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [p, b] of filesUnder(path)) out.set(p, b);
    else out.set(path, readFileSync(path));
  }
  return out;
}

const HOSTILE = ['../../escaped', '/tmp/absolute-class', '..\\windows', 'a/b/c', '$(touch pwned)', '..'];

describe('describe -> train: what leaves the machine, and what is written', () => {
  it('sends only the prompt with the class name to the named endpoint; the key is nowhere but the header; nothing is written outside the output folder', async () => {
    const byClass = (request: RecordedRequest) => {
      const name = /Class: "(.*)"/.exec(request.body.messages!.at(-1)!.content)![1]!;
      return descriptorsReply([`a large ${name}`.slice(0, 150), `a small ${name}`.slice(0, 150), `a ${name} seen from afar`.slice(0, 150)]);
    };
    const server = await startChatServer([byClass]);
    const classes = [...syntheticDataset({ split: 'val', count: 1, size: 32 }).classes, ...HOSTILE];
    const out = join(sandbox, 'out');
    writeFileSync(join(sandbox, 'classes.json'), JSON.stringify(classes));
    process.env.LANGSEG_SECURITY_KEY = KEY;
    let described;
    const before = new Set(filesUnder(sandbox).keys());
    try {
      described = await runCli('describe', '--classes', join(sandbox, 'classes.json'), '--endpoint', server.url, '--model', 'm', '--api-key-env', 'LANGSEG_SECURITY_KEY', '--per-class', '3', '--cache', join(out, 'cache'), '-o', join(out, 'descriptors.json'));
    } finally {
      await server.close();
    }
    expect(described.code, described.out).toBe(0);

    // What was sent: one request per class, each exactly the fixed prompt around its name, with the key in the header.
    expect(server.requests).toHaveLength(classes.length);
    server.requests.forEach((request, i) => {
      expect(request.url).toBe('/v1/chat/completions');
      expect(Object.keys(request.body).sort()).toEqual(['messages', 'model', 'stream', 'temperature']);
      expect(request.body.messages).toEqual(descriptorPrompt(classes[i]!, 3));
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    });

    // Train with those descriptors, the key still in the environment.
    const run = join(out, 'run');
    const trained = await runCli('train', '--size', '32', '--batch', '1', '--steps', '2', '--val-images', '1', '--descriptors', join(out, 'descriptors.json'), '--out', run);
    expect(trained.code, trained.out).toBe(0);

    // The key is in no log line and in no byte written, the checkpoint included.
    expect(`${described.out}\n${trained.out}`).not.toContain(KEY);
    const written = [...filesUnder(sandbox)].filter(([path]) => !before.has(path));
    for (const [path, bytes] of written) expect(bytes.includes(KEY), path).toBe(false);
    expect(written.some(([path]) => path.endsWith('checkpoint.safetensors'))).toBe(true);
    // Nothing outside the output folder; cache entries are named by hash, never by class name.
    const outside = written.map(([path]) => relative(sandbox, path)).filter((p) => !p.startsWith('out/'));
    expect(outside).toEqual([]);
    for (const [path] of written.filter(([p]) => p.includes('/cache/'))) expect(relative(join(out, 'cache'), path)).toMatch(/^[0-9a-f]{64}\.json$/);
    for (const escaped of [join(sandbox, '..', 'escaped'), '/tmp/absolute-class', join(out, 'a')]) expect(existsSync(escaped), escaped).toBe(false);

    await recordFigures('security', {
      requests: server.requests.length,
      hostileClassNames: HOSTILE,
      filesWritten: written.length,
      filesOutsideOutput: outside.length,
      filesContainingKey: written.filter(([, b]) => b.includes(KEY)).length,
      logLinesContainingKey: `${described.out}\n${trained.out}`.split('\n').filter((l) => l.includes(KEY)).length,
    });
  });
});
