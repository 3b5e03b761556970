/** `langseg describe` end to end: main(['describe', ...]) against a scripted chat server, writing into a temp dir. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveClasses } from '../../src/cli/describe.js';
import { main } from '../../src/cli/main.js';
import { parseDescriptorFile } from '../../src/descriptors/index.js';
import { completion, descriptorsReply, startChatServer, type FakeChatServer, type RecordedRequest } from '../descriptors/fake-chat-server.js';

const SECRET = 'sk-cli-test-SECRET-42';

/** Answers each class with descriptors that name it, so the file shows which answer went where. */
function byClass(request: RecordedRequest) {
  const name = /Class: "(.*)"/.exec(request.body.messages!.at(-1)!.content)![1]!;
  return descriptorsReply([`a large ${name}`, `a small ${name}`, `a ${name} seen from afar`, `a ${name} up close`]);
}

let dir = '';
let server: FakeChatServer | undefined;
let out: string[] = [];
let err: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'langseg-describe-'));
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
});
afterEach(async () => {
  vi.restoreAllMocks();
  delete process.env.LANGSEG_TEST_KEY;
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** `langseg describe` with the server and a temp cache, plus `args`. */
function describeCli(...args: string[]): Promise<number> {
  return main(['describe', '--endpoint', server!.url, '--model', 'tiny-llm', '--cache', join(dir, 'cache'), ...args]);
}

describe('langseg describe', () => {
  it('writes a descriptor file from a comma list, with a line per class', async () => {
    server = await startChatServer([byClass]);
    const output = join(dir, 'out', 'classes.json');
    expect(await describeCli('--classes', 'wall, floor,person', '--per-class', '4', '-o', output)).toBe(0);
    const file = parseDescriptorFile(await readFile(output, 'utf8'));
    expect(file.classes).toEqual(['wall', 'floor', 'person']);
    expect(file.descriptors[2]).toEqual(['a large person', 'a small person', 'a person seen from afar', 'a person up close']);
    expect(file.source).toBe('llm:tiny-llm');
    expect(out).toContain('[1/3] wall: 4 descriptors');
    expect(out).toContain('[3/3] person: 4 descriptors');
    expect(out.at(-1)).toBe(`wrote ${output}: 3 classes, 12 descriptors (llm:tiny-llm)`);
    expect(await readdir(join(dir, 'cache'))).toHaveLength(3);
    expect(await readdir(join(dir, 'out'))).toEqual(['classes.json']); // no temp file left behind
  });

  it('reads classes from a text file, a JSON array, a descriptor file and a built-in set', async () => {
    server = await startChatServer([byClass]);
    const lines = join(dir, 'classes.txt');
    await writeFile(lines, '# my classes\nwall\n\n  chest of drawers  \r\nsky\n');
    expect(await describeCli('--classes', lines, '-o', join(dir, 'a.json'))).toBe(0);
    expect(parseDescriptorFile(await readFile(join(dir, 'a.json'), 'utf8')).classes).toEqual(['wall', 'chest of drawers', 'sky']);

    const array = join(dir, 'classes.json');
    await writeFile(array, JSON.stringify(['sky', 'sea']));
    expect(await describeCli('--classes', array, '-o', join(dir, 'b.json'))).toBe(0);
    expect(parseDescriptorFile(await readFile(join(dir, 'b.json'), 'utf8')).classes).toEqual(['sky', 'sea']);

    // A descriptor file's classes, and its dataset, carry over; its descriptors are replaced.
    expect(await describeCli('--classes', join(dir, 'b.json'), '--dataset', 'mine', '-o', join(dir, 'c.json'))).toBe(0);
    const c = parseDescriptorFile(await readFile(join(dir, 'c.json'), 'utf8'));
    expect(c.dataset).toBe('mine');
    expect(c.classes).toEqual(['sky', 'sea']);
    expect(server.requests).toHaveLength(4); // wall, chest of drawers, sky; sea; then all from the cache

    const builtin = await resolveClasses('builtin:cocostuff');
    expect(builtin.classes).toHaveLength(171);
    expect(builtin.dataset).toBe('cocostuff');
    expect(await describeCli('--classes', 'builtin:pascal', '-o', join(dir, 'd.json'))).toBe(2);
    expect(err.join('\n')).toContain('the built-in sets are builtin:ade20k, builtin:cocostuff');
  });

  it('refuses to overwrite an existing file without --force, before asking anything', async () => {
    server = await startChatServer([byClass]);
    const output = join(dir, 'exists.json');
    await writeFile(output, 'keep me');
    expect(await describeCli('--classes', 'wall', '-o', output)).toBe(1);
    expect(err.join('\n')).toContain(`langseg describe: ${output} already exists; choose another output file or pass --force to replace it`);
    expect(await readFile(output, 'utf8')).toBe('keep me');
    expect(server.requests).toHaveLength(0);
    expect(await describeCli('--classes', 'wall', '-o', output, '--force')).toBe(0);
    expect(parseDescriptorFile(await readFile(output, 'utf8')).classes).toEqual(['wall']);
  });

  it('sends the key from --api-key-env in the header only', async () => {
    server = await startChatServer([byClass]);
    process.env.LANGSEG_TEST_KEY = SECRET;
    const output = join(dir, 'keyed.json');
    expect(await describeCli('--classes', 'wall', '--api-key-env', 'LANGSEG_TEST_KEY', '-o', output)).toBe(0);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(await readFile(output, 'utf8')).not.toContain(SECRET);
    expect([...out, ...err].join('\n')).not.toContain(SECRET);
    for (const file of await readdir(join(dir, 'cache'))) expect(await readFile(join(dir, 'cache', file), 'utf8')).not.toContain(SECRET);
  });

  it('fails clearly on a 401, echoing no key and writing nothing', async () => {
    server = await startChatServer([(r) => ({ status: 401, body: { error: { message: `invalid key ${String(r.headers.authorization)}` } } })]);
    process.env.LANGSEG_TEST_KEY = SECRET;
    const output = join(dir, 'never.json');
    expect(await describeCli('--classes', 'wall', '--api-key-env', 'LANGSEG_TEST_KEY', '-o', output)).toBe(1);
    const message = err.join('\n');
    expect(message).toMatch(/^langseg describe: class "wall": the endpoint answered 401 Unauthorized: invalid key Bearer \[redacted\]; check the API key/);
    expect(message).not.toContain(SECRET);
    expect(existsSync(output)).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('says how to resume after a failure part way, and resumes from the cache', async () => {
    let failing = true;
    server = await startChatServer([(r) => (failing && r.body.messages!.at(-1)!.content.includes('"sky"') ? { status: 500, body: 'down' } : byClass(r))]);
    const output = join(dir, 'resume.json');
    expect(await describeCli('--classes', 'wall,floor,sky', '--retries', '1', '-o', output)).toBe(1);
    expect(err.join('\n')).toMatch(/gave up after 2 attempts; the last: the endpoint answered 500 Internal Server Error: down .*\n2 of 3 classes are answered and cached; run the same command again to resume/);
    expect(existsSync(output)).toBe(false);
    failing = false;
    const before = server.requests.length;
    expect(await describeCli('--classes', 'wall,floor,sky', '-o', output)).toBe(0);
    expect(server.requests.length - before).toBe(1); // only sky was asked again
    expect(out).toContain('[1/3] wall: 4 descriptors (cached)');
  });

  it('retries a malformed answer and carries on', async () => {
    server = await startChatServer([{ body: completion('no json here') }, byClass]);
    expect(await describeCli('--classes', 'wall', '--no-cache', '-o', join(dir, 'm.json'))).toBe(0);
    expect(out.some((l) => /wall: attempt 1 of 4 failed \(the answer holds no JSON/.test(l))).toBe(true);
    expect(existsSync(join(dir, 'cache'))).toBe(false); // --no-cache wrote nothing
  });

  it('rejects bad usage with exit code 2 and the help', async () => {
    server = await startChatServer([byClass]);
    expect(await describeCli('--classes', 'wall')).toBe(2);
    expect(err.join('\n')).toMatch(/--output is required[\s\S]*usage: langseg describe/);
    err = [];
    expect(await describeCli('--classes', 'missing/classes.txt', '-o', join(dir, 'x.json'))).toBe(2);
    expect(err.join('\n')).toContain('--classes missing/classes.txt: no such file');
    err = [];
    expect(await describeCli('--classes', 'wall,wall', '-o', join(dir, 'x.json'))).toBe(2);
    expect(err.join('\n')).toContain('"wall" is listed twice');
    err = [];
    expect(await describeCli('--classes', 'wall', '--api-key-env', 'LANGSEG_TEST_KEY', '-o', join(dir, 'x.json'))).toBe(2);
    expect(err.join('\n')).toContain('the environment variable LANGSEG_TEST_KEY is not set or empty');
    err = [];
    expect(await describeCli('--classes', 'wall', '--per-class', '40', '-o', join(dir, 'x.json'))).toBe(2);
    expect(err.join('\n')).toContain('--per-class must be an integer from 1 to 16');
    expect(server.requests).toHaveLength(0);
  });

  it('is listed in the overview and has help', async () => {
    expect(await main(['help'])).toBe(0);
    expect(out.join('\n')).toMatch(/describe\s+write a descriptor file/);
    expect(await main(['describe', '--help'])).toBe(0);
    expect(out.join('\n')).toContain('--api-key-env <VAR>');
  });
});
