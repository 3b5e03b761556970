/**
 * Descriptors from a language model: asks any OpenAI-compatible chat endpoint (llama.cpp server, Ollama,
 * vLLM, a hosted API) for each class's descriptors, one class per request, checks the answer, retries
 * what may pass on a second try, and caches answers. Browser-safe: `fetch` only.
 *
 * Retried, with exponential backoff (backoffMs, 2x, 4x, ...; a 429's Retry-After when longer): network
 * errors, timeouts, 408/429/5xx, and answers that hold no usable JSON. Any other 4xx fails at once with
 * the server's message. The API key goes in the Authorization header only; it is cut out of every
 * message and log line, including servers' error texts that echo it.
 */
import { DescriptorError } from '../errors.js';
import { sha256Hex } from '../io/sha256.js';
import { MAX_CLASS_NAME_LENGTH, MAX_DESCRIPTORS_PER_CLASS, type DescriptorFile } from './descriptor-file.js';
import { MAX_ANSWER_CHARS, readAnswer } from './llm-answer.js';
import { descriptorPrompt, PROMPT_VERSION } from './llm-prompt.js';

/** What a cache keeps for one class: the answer and what it answered. */
export interface CachedDescriptors {
  model: string;
  className: string;
  promptVersion: number;
  perClass: number;
  descriptors: string[];
}

/** Where answers are kept between runs. A `Map<string, CachedDescriptors>` is one; `FileDescriptorCache` (Node) another. */
export interface DescriptorCache {
  get(key: string): CachedDescriptors | undefined | Promise<CachedDescriptors | undefined>;
  set(key: string, value: CachedDescriptors): unknown;
}

export interface DescribeOptions {
  /** The server, e.g. `http://127.0.0.1:8080` or `https://api.example.com/v1` (or the full `.../chat/completions` URL). */
  endpoint: string;
  /** The model name the server knows. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>`; nowhere else. */
  apiKey?: string;
  /** A fetch to use instead of `globalThis.fetch` (a proxy, a test double). */
  fetch?: typeof globalThis.fetch;
  /** Further attempts after a failure that may pass on a second try (default 3). */
  retries?: number;
  /** Wait before the first retry; doubles each time (default 500 ms). */
  backoffMs?: number;
  /** Longest wait for one answer, body included (default 60000 ms). */
  timeoutMs?: number;
  /** Descriptors to ask for per class, 1..16 (default 6); an answer with at least half of them is kept. */
  perClass?: number;
  /** Sampling temperature sent to the server (default 0.2: varied but repeatable). */
  temperature?: number;
  cache?: DescriptorCache;
  /** Progress and retry lines. */
  log?: (line: string) => void;
  /** Called after each class of describeClasses, with its 0-based index (for progress bars and resume hints). */
  onClass?: (index: number, className: string, descriptors: string[], cached: boolean) => void;
  /** Cancels the run (the request in flight and any wait). */
  signal?: AbortSignal;
}

type Settings = Required<Omit<DescribeOptions, 'apiKey' | 'cache' | 'signal' | 'onClass'>> & Pick<DescribeOptions, 'apiKey' | 'cache' | 'signal' | 'onClass'> & { url: string };

type Attempt = { kind: 'ok'; descriptors: string[] } | { kind: 'retry'; reason: string; retryAfterMs?: number } | { kind: 'fatal'; reason: string };

/** `<endpoint>/v1/chat/completions`, whether or not the endpoint already ends in /v1 (or is the full URL). */
export function chatCompletionsUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DescriptorError(`describe: endpoint ${JSON.stringify(endpoint)} is not a URL; give one like http://127.0.0.1:8080 or https://api.example.com/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DescriptorError(`describe: endpoint ${JSON.stringify(endpoint)} must be an http:// or https:// URL`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/chat/completions') ? path : path.endsWith('/v1') ? `${path}/chat/completions` : `${path}/v1/chat/completions`;
  return url.toString();
}

/** The cache key of one class's answer: sha256 of the prompt version, model, count asked for and class. */
export async function descriptorCacheKey(model: string, className: string, perClass: number): Promise<string> {
  return sha256Hex(new TextEncoder().encode(JSON.stringify([PROMPT_VERSION, model, perClass, className])));
}

function checkNumber(name: string, value: number, min: number, max: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new DescriptorError(`describe: ${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function settings(options: DescribeOptions): Settings {
  if (typeof options.model !== 'string' || options.model.trim() === '') throw new DescriptorError('describe: no model given; name the model the server should use');
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new DescriptorError('describe: no fetch in this environment; pass options.fetch');
  const apiKey = options.apiKey || undefined;
  const log = options.log ?? (() => undefined);
  return {
    endpoint: options.endpoint,
    url: chatCompletionsUrl(options.endpoint),
    model: options.model,
    apiKey,
    fetch: fetchFn,
    retries: checkNumber('retries', options.retries ?? 3, 0, 20, true),
    backoffMs: checkNumber('backoffMs', options.backoffMs ?? 500, 0, 600_000, false),
    timeoutMs: checkNumber('timeoutMs', options.timeoutMs ?? 60_000, 1, 3_600_000, false),
    perClass: checkNumber('perClass', options.perClass ?? 6, 1, MAX_DESCRIPTORS_PER_CLASS, true),
    temperature: checkNumber('temperature', options.temperature ?? 0.2, 0, 2, false),
    cache: options.cache,
    // Every line passes through redact, whatever it quotes (a server's error text, a cache's error).
    log: (line: string) => log(redact(line, apiKey)),
    signal: options.signal,
    onClass: options.onClass,
  };
}

/** `text` with the API key cut out, so no message or log line can carry it. */
function redact(text: string, apiKey: string | undefined): string {
  return apiKey ? text.split(apiKey).join('[redacted]') : text;
}

function cancelled(): DescriptorError {
  return new DescriptorError('describe: cancelled');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The server's own words from an error body: OpenAI's {error: {message}}, {error: "..."}, {message}, or the text. */
function serverMessage(body: string): string {
  try {
    const value = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = value.error as { message?: unknown } | string | undefined;
    const message = typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : value.message ?? value.detail;
    if (typeof message === 'string' && message !== '') return message.slice(0, 500);
  } catch {
    // not JSON: the text itself
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text === '' ? '(empty body)' : text.slice(0, 500);
}

/** Retry-After in milliseconds (seconds or an HTTP date), capped at a minute; undefined if absent. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 60_000) : undefined;
}

function hintFor(status: number): string {
  if (status === 401 || status === 403) return '; check the API key (langseg describe --api-key-env VAR) and that it may use this model';
  if (status === 404) return '; check --endpoint (the URL should serve /v1/chat/completions) and --model';
  return '';
}

/** The content of the first choice of a chat completion, or undefined when the body is not one. */
function completionContent(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = value.choices?.[0]?.message?.content;
    return typeof content === 'string' ? content : undefined;
  } catch {
    return undefined;
  }
}

/** The most bytes of a response body read: the JSON envelope of an answer of MAX_ANSWER_CHARS, escapes included. */
export const MAX_RESPONSE_BYTES = 1 << 20;

/** The body as text, or undefined (and the stream cancelled) once it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) {
    const text = await response.text();
    return new TextEncoder().encode(text).length > maxBytes ? undefined : text;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** One request for one class, classified: descriptors, a failure worth retrying, or one that is not. */
async function attemptOnce(className: string, s: Settings): Promise<Attempt> {
  if (s.signal?.aborted) throw cancelled();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, s.timeoutMs);
  const onAbort = () => controller.abort();
  s.signal?.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (s.apiKey) headers.authorization = `Bearer ${s.apiKey}`;
  const body = JSON.stringify({ model: s.model, messages: descriptorPrompt(className, s.perClass), temperature: s.temperature, stream: false });
  try {
    const response = await s.fetch(s.url, { method: 'POST', headers, body, signal: controller.signal });
    // Under the same timeout (a server may send headers, then stall) and capped: an endpoint that streams
    // megabytes is refused before they are in memory.
    const text = await readCapped(response, MAX_RESPONSE_BYTES);
    if (text === undefined) {
      controller.abort();
      return { kind: 'retry', reason: `the response is longer than ${MAX_RESPONSE_BYTES} bytes, more than a chat completion of ${MAX_ANSWER_CHARS} characters needs` };
    }
    if (!response.ok) {
      const reason = `the endpoint answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}: ${serverMessage(text)}`;
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      return retryable ? { kind: 'retry', reason, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) } : { kind: 'fatal', reason: reason + hintFor(response.status) };
    }
    const content = completionContent(text);
    if (content === undefined) return { kind: 'retry', reason: `the response is not a chat completion (it begins ${JSON.stringify(text.slice(0, 60))})` };
    const answer = readAnswer(content, s.perClass);
    if (!answer.ok) return { kind: 'retry', reason: answer.reason };
    if (answer.dropped.length > 0) s.log(`  ${className}: dropped ${answer.dropped.length} empty, too long or repeated descriptor(s)`);
    return { kind: 'ok', descriptors: answer.descriptors };
  } catch (e) {
    if (s.signal?.aborted) throw cancelled();
    if (timedOut) return { kind: 'retry', reason: `no complete answer within ${s.timeoutMs} ms` };
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'retry', reason: `network error: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}` };
  } finally {
    clearTimeout(timer);
    s.signal?.removeEventListener('abort', onAbort);
  }
}

/** Asks until an answer passes or the retries run out; DescriptorError naming the class and the last reason. */
async function askWithRetries(className: string, s: Settings): Promise<string[]> {
  const attempts = s.retries + 1;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(className, s);
    if (result.kind === 'ok') return result.descriptors;
    const reason = redact(result.reason, s.apiKey);
    const where = redact(s.url, s.apiKey);
    if (result.kind === 'fatal') throw new DescriptorError(`describe: class ${JSON.stringify(className)}: ${reason} (${where})`);
    if (attempt >= attempts) {
      throw new DescriptorError(`describe: class ${JSON.stringify(className)}: gave up after ${attempts} attempt${attempts > 1 ? 's' : ''}; the last: ${reason} (${where})`);
    }
    const delay = Math.max(s.backoffMs * 2 ** (attempt - 1), result.retryAfterMs ?? 0);
    s.log(`  ${className}: attempt ${attempt} of ${attempts} failed (${reason}); retrying in ${Math.round(delay)} ms`);
    await sleep(delay, s.signal);
  }
}

function isCachedAnswer(value: unknown, className: string, s: Settings): value is CachedDescriptors {
  const v = value as CachedDescriptors | undefined;
  return (
    typeof v === 'object' && v !== null && v.className === className && v.model === s.model && v.promptVersion === PROMPT_VERSION &&
    Array.isArray(v.descriptors) && v.descriptors.length > 0 && v.descriptors.length <= MAX_DESCRIPTORS_PER_CLASS && v.descriptors.every((d) => typeof d === 'string')
  );
}

/** One class's descriptors, from the cache when it has them; `cached` says which. */
export async function describeClass(className: string, options: DescribeOptions): Promise<{ descriptors: string[]; cached: boolean }> {
  return describeOne(className, settings(options));
}

async function describeOne(className: string, s: Settings): Promise<{ descriptors: string[]; cached: boolean }> {
  const key = s.cache ? await descriptorCacheKey(s.model, className, s.perClass) : '';
  if (s.cache) {
    try {
      const hit = await s.cache.get(key);
      if (isCachedAnswer(hit, className, s)) return { descriptors: [...hit.descriptors], cached: true };
    } catch (e) {
      s.log(`  ${className}: cache read failed (${(e as Error).message}); asking the model`);
    }
  }
  const descriptors = await askWithRetries(className, s);
  if (s.cache) {
    const value: CachedDescriptors = { model: s.model, className, promptVersion: PROMPT_VERSION, perClass: s.perClass, descriptors };
    try {
      await s.cache.set(key, value);
    } catch (e) {
      s.log(`  ${className}: cache write failed (${(e as Error).message}); the answer is used but not kept`);
    }
  }
  return { descriptors, cached: false };
}

function checkClasses(classes: readonly string[]): void {
  if (!Array.isArray(classes) || classes.length === 0) throw new DescriptorError('describe: no classes given; name at least one');
  const seen = new Set<string>();
  classes.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || name.length > MAX_CLASS_NAME_LENGTH) {
      throw new DescriptorError(`describe: class ${i} (${JSON.stringify(name)}) must be a non-empty name of at most ${MAX_CLASS_NAME_LENGTH} characters with no surrounding blanks`);
    }
    if (seen.has(name)) throw new DescriptorError(`describe: class ${JSON.stringify(name)} is listed twice; list each class once`);
    seen.add(name);
  });
}

/**
 * Descriptors for every class, one request each, in order, logging a line per class. Returns a
 * descriptor set with `source: "llm:<model>"`, ready for `serializeDescriptorFile`. Answers already
 * cached are not asked again, so a run that failed part way resumes where it stopped.
 */
export async function describeClasses(classes: readonly string[], options: DescribeOptions): Promise<DescriptorFile> {
  checkClasses(classes);
  const s = settings(options);
  const descriptors: string[][] = [];
  for (const [i, name] of classes.entries()) {
    const { descriptors: list, cached } = await describeOne(name, s);
    s.log(`[${i + 1}/${classes.length}] ${name}: ${list.length} descriptors${cached ? ' (cached)' : ''}`);
    descriptors.push(list);
    s.onClass?.(i, name, list, cached);
  }
  return { classes: [...classes], descriptors, source: `llm:${s.model}` };
}

export { PROMPT_VERSION };
