/**
 * The descriptor client against a scripted chat server on 127.0.0.1: good answers, malformed ones,
 * server errors, a 401, a slow server, the cache, and an API key that must never leak.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DescriptorError } from '../../src/errors.js';
import { describeClass, describeClasses, descriptorCacheKey, MAX_RESPONSE_BYTES, PROMPT_VERSION, type CachedDescriptors, type DescribeOptions } from '../../src/descriptors/index.js';
import { completion, descriptorsReply, startChatServer, type FakeChatServer } from './fake-chat-server.js';

const WALL = ['a red brick wall', 'a white painted wall', 'a tiled wall', 'a wooden panelled wall', 'a concrete wall', 'a wall with pictures'];
const SECRET = 'sk-test-0123456789abcdef-SECRET';

let server: FakeChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Options for the running server, quick to retry, collecting log lines. */
function options(lines: string[], extra: Partial<DescribeOptions> = {}): DescribeOptions {
  return { endpoint: server!.url, model: 'test-model', backoffMs: 1, log: (line) => lines.push(line), ...extra };
}

async function failure(promise: Promise<unknown>): Promise<DescriptorError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(DescriptorError);
    return e as DescriptorError;
  }
  throw new Error('expected a DescriptorError');
}

describe('describeClasses against a chat server', () => {
  it('asks once per class and returns a descriptor set', async () => {
    server = await startChatServer([(request) => descriptorsReply(WALL.map((d) => d.replace('wall', request.body.messages!.at(-1)!.content.includes('"floor"') ? 'floor' : 'wall')))]);
    const lines: string[] = [];
    const set = await describeClasses(['wall', 'floor'], options(lines, { apiKey: SECRET }));
    expect(set.classes).toEqual(['wall', 'floor']);
    expect(set.descriptors[0]).toEqual(WALL);
    expect(set.descriptors[1]![0]).toBe('a red brick floor');
    expect(set.source).toBe('llm:test-model');
    expect(lines).toEqual(['[1/2] wall: 6 descriptors', '[2/2] floor: 6 descriptors']);

    expect(server.requests).toHaveLength(2);
    const request = server.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body.model).toBe('test-model');
    expect(request.body.stream).toBe(false);
    const messages = request.body.messages!;
    expect(messages[0]!.role).toBe('system');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Class: "wall"\nGive exactly 6 descriptors.' });
    expect(JSON.stringify(request.body)).not.toContain(SECRET); // the key goes in the header only
  });

  it('sends no Authorization header without a key, and accepts an endpoint ending in /v1', async () => {
    server = await startChatServer([descriptorsReply(WALL)]);
    await describeClass('wall', options([], { endpoint: `${server.url}/v1/`, perClass: 4 }));
    expect(server.requests[0]!.url).toBe('/v1/chat/completions');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(server.requests[0]!.body.messages!.at(-1)!.content).toContain('Give exactly 4 descriptors.');
  });

  it('retries a malformed answer, then takes the good one', async () => {
    server = await startChatServer([{ body: completion('Here you go: {"descriptors": ["a red brick wall", ') }, { body: '<html>502 from a proxy</html>' }, descriptorsReply(WALL)]);
    const lines: string[] = [];
    const { descriptors, cached } = await describeClass('wall', options(lines));
    expect(descriptors).toEqual(WALL);
    expect(cached).toBe(false);
    expect(server.requests).toHaveLength(3);
    expect(lines[0]).toMatch(/^ {2}wall: attempt 1 of 4 failed \(the answer holds no JSON .*\); retrying in 1 ms$/);
    expect(lines[1]).toMatch(/^ {2}wall: attempt 2 of 4 failed \(the response is not a chat completion .*\); retrying in 2 ms$/);
  });

  it('retries 500s and 429s with growing waits, then takes the good answer', async () => {
    server = await startChatServer([
      { status: 500, body: { error: { message: 'model is loading' } } },
      { status: 503, body: 'overloaded' },
      { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '0' } },
      descriptorsReply(WALL),
    ]);
    const lines: string[] = [];
    const { descriptors } = await describeClass('wall', options(lines, { backoffMs: 2 }));
    expect(descriptors).toEqual(WALL);
    expect(server.requests).toHaveLength(4);
    expect(lines).toEqual([
      '  wall: attempt 1 of 4 failed (the endpoint answered 500 Internal Server Error: model is loading); retrying in 2 ms',
      '  wall: attempt 2 of 4 failed (the endpoint answered 503 Service Unavailable: overloaded); retrying in 4 ms',
      '  wall: attempt 3 of 4 failed (the endpoint answered 429 Too Many Requests: slow down); retrying in 8 ms',
    ]);
  });

  it('gives up after the retries, naming the class and the last reason', async () => {
    server = await startChatServer([{ status: 500, body: { error: { message: 'out of memory' } } }]);
    const error = await failure(describeClasses(['wall'], options([], { retries: 2 })));
    expect(server.requests).toHaveLength(3);
    expect(error.message).toBe(`describe: class "wall": gave up after 3 attempts; the last: the endpoint answered 500 Internal Server Error: out of memory (${server.url}/v1/chat/completions)`);
  });

  it('fails at once on a 401 with the server message and a hint', async () => {
    server = await startChatServer([{ status: 401, body: { error: { message: 'Invalid API key', type: 'invalid_request_error' } } }]);
    const error = await failure(describeClasses(['wall', 'floor'], options([], { apiKey: SECRET })));
    expect(server.requests).toHaveLength(1);
    expect(error.message).toMatch(/^describe: class "wall": the endpoint answered 401 Unauthorized: Invalid API key; check the API key \(langseg describe --api-key-env VAR\)/);
  });

  it('fails at once on a 404, suggesting to check the endpoint and model', async () => {
    server = await startChatServer([{ status: 404, body: { error: { message: 'model "nope" not found' } } }]);
    const error = await failure(describeClass('wall', options([])));
    expect(server.requests).toHaveLength(1);
    expect(error.message).toMatch(/404 Not Found: model "nope" not found; check --endpoint .* and --model/);
  });

  it('times out a slow answer and retries', async () => {
    server = await startChatServer([{ ...descriptorsReply(['too late']), delayMs: 3000 }, descriptorsReply(WALL)]);
    const lines: string[] = [];
    const { descriptors } = await describeClass('wall', options(lines, { timeoutMs: 150 }));
    expect(descriptors).toEqual(WALL);
    expect(server.requests).toHaveLength(2);
    expect(lines[0]).toBe('  wall: attempt 1 of 4 failed (no complete answer within 150 ms); retrying in 1 ms');
  });

  it('stops reading a response past MAX_RESPONSE_BYTES and retries, without holding it in memory', async () => {
    server = await startChatServer([{ body: '{"choices": [', endless: true }, descriptorsReply(WALL)]);
    const lines: string[] = [];
    const { descriptors } = await describeClass('wall', options(lines));
    expect(descriptors).toEqual(WALL);
    expect(server.requests).toHaveLength(2);
    expect(lines[0]).toBe(`  wall: attempt 1 of 4 failed (the response is longer than ${MAX_RESPONSE_BYTES} bytes, more than a chat completion of 65536 characters needs); retrying in 1 ms`);
  });

  it('retries a network error (nothing listening), then reports it', async () => {
    server = await startChatServer([descriptorsReply(WALL)]);
    const endpoint = server.url;
    await server.close();
    server = undefined;
    const error = await failure(describeClass('wall', { endpoint, model: 'm', retries: 1, backoffMs: 1 }));
    expect(error.message).toMatch(/gave up after 2 attempts; the last: network error: .*ECONNREFUSED/);
  });

  it('uses the cache: a second run asks nothing, another model or count asks again', async () => {
    server = await startChatServer([descriptorsReply(WALL)]);
    const cache = new Map<string, CachedDescriptors>();
    const lines: string[] = [];
    await describeClasses(['wall'], options(lines, { cache }));
    expect(server.requests).toHaveLength(1);
    const key = await descriptorCacheKey('test-model', 'wall', 6);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.get(key)).toEqual({ model: 'test-model', className: 'wall', promptVersion: PROMPT_VERSION, perClass: 6, descriptors: WALL });

    const again = await describeClasses(['wall'], options(lines, { cache }));
    expect(again.descriptors[0]).toEqual(WALL);
    expect(server.requests).toHaveLength(1); // no second request
    expect(lines.at(-1)).toBe('[1/1] wall: 6 descriptors (cached)');

    await describeClasses(['wall'], options(lines, { cache, model: 'other-model' }));
    await describeClasses(['wall'], options(lines, { cache, perClass: 5 }));
    expect(server.requests).toHaveLength(3);
    expect(cache.size).toBe(3);
  });

  it('ignores a cache entry of the wrong shape and a cache that throws', async () => {
    server = await startChatServer([descriptorsReply(WALL)]);
    const key = await descriptorCacheKey('test-model', 'wall', 6);
    const broken = new Map<string, CachedDescriptors>([[key, { className: 'floor' } as CachedDescriptors]]);
    await describeClass('wall', options([], { cache: broken }));
    expect(server.requests).toHaveLength(1);
    const lines: string[] = [];
    const failing = { get: () => Promise.reject(new Error('disk on fire')), set: () => Promise.reject(new Error('read-only')) };
    expect((await describeClass('wall', options(lines, { cache: failing }))).descriptors).toEqual(WALL);
    expect(lines).toEqual(['  wall: cache read failed (disk on fire); asking the model', '  wall: cache write failed (read-only); the answer is used but not kept']);
  });

  it('never shows the API key, even when the server echoes it', async () => {
    const echo = (request: { headers: Record<string, string | string[] | undefined> }) => ({ status: 500, body: { error: { message: `bad token ${String(request.headers.authorization)}` } } });
    const unauthorized = (request: { headers: Record<string, string | string[] | undefined> }) => ({ status: 403, body: `forbidden for ${String(request.headers.authorization)}` });
    for (const script of [[echo], [unauthorized]]) {
      server = await startChatServer(script);
      const lines: string[] = [];
      const error = await failure(describeClasses(['wall'], options(lines, { apiKey: SECRET, retries: 2 })));
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`); // it was sent, and echoed
      expect(error.message).toContain('Bearer [redacted]');
      expect(error.message).not.toContain(SECRET);
      expect(String(error.stack)).not.toContain(SECRET);
      for (const line of lines) expect(line).not.toContain(SECRET);
      await server.close();
      server = undefined;
    }
  });

  it('stops when cancelled', async () => {
    server = await startChatServer([{ ...descriptorsReply(WALL), delayMs: 3000 }]);
    const controller = new AbortController();
    const pending = describeClasses(['wall'], options([], { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).message).toBe('describe: cancelled');
  });

  it('checks its arguments before asking anything', async () => {
    server = await startChatServer([descriptorsReply(WALL)]);
    await expect(describeClasses([], options([]))).rejects.toThrow(/no classes given/);
    await expect(describeClasses(['wall', 'wall'], options([]))).rejects.toThrow(/"wall" is listed twice/);
    await expect(describeClasses(['bed '], options([]))).rejects.toThrow(/no surrounding blanks/);
    await expect(describeClasses(['wall'], options([], { perClass: 17 }))).rejects.toThrow(/perClass must be an integer from 1 to 16, got 17/);
    await expect(describeClasses(['wall'], options([], { model: '' }))).rejects.toThrow(/no model given/);
    await expect(describeClasses(['wall'], options([], { endpoint: 'not a url' }))).rejects.toThrow(DescriptorError);
    expect(server.requests).toHaveLength(0);
  });
});
