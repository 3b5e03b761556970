/**
 * The tokenizer's config, its stored (JSON) form, and their validation: everything that decides the
 * ids, so a checkpoint that stores it reproduces the same ids for the same texts.
 */
import { TokenizerError } from '../errors.js';
import { textWords } from './text.js';

export interface TokenizerConfig {
  /** Vocabulary words, already normalised single words, in id order (id 1 is words[0]). */
  readonly words: readonly string[];
  /** Number of hashed n-gram buckets (ids W+1 .. W+buckets). */
  readonly buckets: number;
  /** Shortest and longest character n-gram, in code points, boundary markers included (fastText: 3, 5). */
  readonly minN: number;
  readonly maxN: number;
  /** Tokens (words) per text after truncation; every encoded text takes this many slots. */
  readonly maxTokens: number;
}

/** The stored form: the config plus a format tag and version, so a reader can refuse what it does not know. */
export interface TokenizerJSON extends TokenizerConfig {
  readonly format: typeof TOKENIZER_FORMAT;
  readonly version: typeof TOKENIZER_VERSION;
}

export const TOKENIZER_FORMAT = 'langseg-tokenizer';
export const TOKENIZER_VERSION = 1;
/** Largest vocabulary: ids must stay exact as u32 and as i32 (kernels may index with either). */
export const MAX_VOCAB_SIZE = 2 ** 31 - 1;
/** Longest n-gram: beyond this a bag gets large for no gain (fastText's default is 6). */
export const MAX_NGRAM = 32;

const JSON_KEYS = ['format', 'version', 'words', 'buckets', 'minN', 'maxN', 'maxTokens'];

function fail(message: string): never {
  throw new TokenizerError(`tokenizer: ${message}`);
}

/** Throws unless `value` is an integer in [min, max]; `what` names it in the message. */
export function checkInteger(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${what} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

/** Throws a TokenizerError naming the first problem; returns the config (words copied and frozen). */
export function validateConfig(config: TokenizerConfig): TokenizerConfig {
  if (typeof config !== 'object' || config === null) fail(`the config must be an object, got ${describe(config)}`);
  const { words, buckets, minN, maxN, maxTokens } = config;
  if (!Array.isArray(words)) fail(`words must be an array of strings, got ${describe(words)}`);
  const seen = new Map<string, number>();
  words.forEach((word: unknown, i) => {
    if (typeof word !== 'string') fail(`words[${i}] must be a string, got ${describe(word)}`);
    const split = textWords(word);
    if (split.length !== 1 || split[0] !== word) {
      fail(`words[${i}] = ${describe(word)} is not one normalised word (it reads as ${JSON.stringify(split)}); ` +
        'store words as Tokenizer.fromTexts makes them: lower case, NFKC, letters/digits/marks and inner apostrophes');
    }
    const first = seen.get(word);
    if (first !== undefined) fail(`words[${i}] = ${describe(word)} repeats words[${first}]; every word needs one id, remove the duplicate`);
    seen.set(word, i);
  });
  checkInteger('buckets', buckets, 1, MAX_VOCAB_SIZE - 1 - words.length);
  checkInteger('minN', minN, 1, MAX_NGRAM);
  checkInteger('maxN', maxN, minN, MAX_NGRAM);
  checkInteger('maxTokens', maxTokens, 1, Number.MAX_SAFE_INTEGER);
  return { words: Object.freeze([...words]), buckets, minN, maxN, maxTokens };
}

/** A stored tokenizer (the parsed object, or its JSON text) -> a validated config. */
export function parseTokenizerJSON(json: unknown): TokenizerConfig {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      fail(`the stored tokenizer is not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`a stored tokenizer must be a JSON object, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  if (record.format !== TOKENIZER_FORMAT) fail(`format must be "${TOKENIZER_FORMAT}", got ${describe(record.format)}`);
  if (record.version !== TOKENIZER_VERSION) {
    fail(`version ${describe(record.version)} is not supported (this library reads version ${TOKENIZER_VERSION}); update langseg`);
  }
  const unknown = Object.keys(record).filter((k) => !JSON_KEYS.includes(k));
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(', ')}; expected only ${JSON_KEYS.join(', ')}`);
  return validateConfig(record as unknown as TokenizerConfig);
}
