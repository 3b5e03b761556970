/**
 * The descriptor tokenizer: short texts -> fastText-style bags of ids, packed as a CSR that the
 * embedding op averages per token (out[token] = mean over its bag of weight[id]).
 *
 * Id layout (vocabSize = 1 + W + buckets):
 *   0            PAD, reserved: never in a bag (padding tokens have *empty* bags and mask 0);
 *   1 .. W       the vocabulary words, in the config's order;
 *   W+1 .. W+B   the hashed n-gram buckets: id = W + 1 + fnv1a32(ngram) % buckets.
 *
 * A word's bag, in this order: its word id if it is in the vocabulary, then the ids of its character
 * n-grams (`charNgrams`), so a word never seen in training still gets an embedding from its pieces.
 */
import { TokenizerError } from '../errors.js';
import { fnv1a32 } from './hash.js';
import { charNgrams, compareCodePoints, textWords } from './text.js';
import { checkInteger, parseTokenizerJSON, TOKENIZER_FORMAT, TOKENIZER_VERSION, validateConfig } from './tokenizer-config.js';
import type { TokenizerConfig, TokenizerJSON } from './tokenizer-config.js';

/** The id no bag ever holds; an embedding table may keep its row at zero. */
export const PAD_ID = 0;

/**
 * The one n-gram an empty text is made of: the markers of the empty word. No real word yields it
 * (every word has at least one character between `<` and `>`), so "no description" gets an
 * embedding of its own instead of all-padding (see `EncodedBatch`).
 */
export const EMPTY_TEXT_NGRAM = '<>';

export interface FromTextsOptions {
  /** Hashed n-gram buckets (default 8192). */
  buckets?: number;
  /** Most words to keep, the most frequent first (default 4096; 0 gives an n-gram-only tokenizer). */
  maxWords?: number;
  /** Fewest occurrences in the corpus for a word to get its own id (default 1). */
  minCount?: number;
  /** Tokens per text (default 16). */
  maxTokens?: number;
  /** N-gram lengths (default 3 and 5, as fastText). */
  minN?: number;
  maxN?: number;
}

/**
 * A batch of S texts, each in L = maxTokens slots (token t of text s is slot s*L + t).
 *
 * Every text has at least one real token: a text with no words at all (empty, only punctuation or
 * spaces) is encoded as one token whose bag is the id of `EMPTY_TEXT_NGRAM`, and counted in `empty`.
 * So `tokenCount[s] >= 1` and a mask-weighted mean pool over tokens never divides by zero; callers
 * need no special case (and get no NaN), though they may want to warn about `empty > 0`.
 */
export interface EncodedBatch {
  /** S, the number of texts. */
  readonly sequences: number;
  /** L, the slots per text. */
  readonly maxTokens: number;
  /** Real tokens per text, after truncation to L: in [1, L]. */
  readonly tokenCount: number[];
  /** S*L: 1 for a real token, 0 for padding. Real tokens come first in each text. */
  readonly mask: Float32Array;
  /** S*L+1: the bag of slot k is bagIds[bagOffsets[k] .. bagOffsets[k+1]); empty for padding. */
  readonly bagOffsets: Uint32Array;
  /** Every id in [1, vocabSize). */
  readonly bagIds: Uint32Array;
  /** Texts that had more than L words; their first L words were kept. */
  readonly truncated: number;
  /** Texts that had no words and got the single `EMPTY_TEXT_NGRAM` token. */
  readonly empty: number;
}

function checkTexts(where: string, texts: unknown): readonly string[] {
  if (!Array.isArray(texts)) throw new TokenizerError(`tokenizer: ${where} takes an array of strings, got ${typeof texts}`);
  texts.forEach((t: unknown, i) => {
    if (typeof t !== 'string') throw new TokenizerError(`tokenizer: ${where}: texts[${i}] must be a string, got ${t === null ? 'null' : typeof t}`);
  });
  return texts as readonly string[];
}

export class Tokenizer {
  readonly words: readonly string[];
  readonly buckets: number;
  readonly minN: number;
  readonly maxN: number;
  readonly maxTokens: number;
  /** 1 + W + buckets: the rows an embedding table for this tokenizer needs. */
  readonly vocabSize: number;
  private readonly wordIds: ReadonlyMap<string, number>;

  /** Throws `TokenizerError` on a malformed config (duplicate or unnormalised words, buckets < 1, ...). */
  constructor(config: TokenizerConfig) {
    const valid = validateConfig(config);
    this.words = valid.words;
    this.buckets = valid.buckets;
    this.minN = valid.minN;
    this.maxN = valid.maxN;
    this.maxTokens = valid.maxTokens;
    this.vocabSize = 1 + this.words.length + this.buckets;
    this.wordIds = new Map(this.words.map((w, i) => [w, i + 1]));
  }

  /**
   * Builds the vocabulary from a corpus: words counted over all texts, those seen at least minCount
   * times kept, sorted by count (descending) then by code point order, the first maxWords taken.
   * The order of the texts does not matter, so the same descriptor set always gives the same ids.
   */
  static fromTexts(texts: readonly string[], options: FromTextsOptions = {}): Tokenizer {
    checkTexts('fromTexts', texts);
    const maxWords = checkInteger('maxWords', options.maxWords ?? 4096, 0, Number.MAX_SAFE_INTEGER);
    const minCount = checkInteger('minCount', options.minCount ?? 1, 1, Number.MAX_SAFE_INTEGER);
    const counts = new Map<string, number>();
    for (const text of texts) for (const word of textWords(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const words = [...counts]
      .filter(([, count]) => count >= minCount)
      .sort(([wa, ca], [wb, cb]) => cb - ca || compareCodePoints(wa, wb))
      .slice(0, maxWords)
      .map(([word]) => word);
    return new Tokenizer({
      words,
      buckets: options.buckets ?? 8192,
      minN: options.minN ?? 3,
      maxN: options.maxN ?? 5,
      maxTokens: options.maxTokens ?? 16,
    });
  }

  /** Restores a tokenizer from `toJSON()`'s object or its JSON text; throws `TokenizerError` if malformed. */
  static fromJSON(json: unknown): Tokenizer {
    return new Tokenizer(parseTokenizerJSON(json));
  }

  /** The stored form (for a checkpoint's metadata); `JSON.stringify(tokenizer)` uses it too. */
  toJSON(): TokenizerJSON {
    const { words, buckets, minN, maxN, maxTokens } = this;
    return { format: TOKENIZER_FORMAT, version: TOKENIZER_VERSION, words: [...words], buckets, minN, maxN, maxTokens };
  }

  /** The words of a text as the tokenizer sees them (normalised, split, not truncated). */
  tokenize(text: string): string[] {
    return textWords(text);
  }

  /** The vocabulary id of a normalised word, or undefined if it has none. */
  wordId(word: string): number | undefined {
    return this.wordIds.get(word);
  }

  /** The id of a character n-gram's bucket. */
  ngramId(ngram: string): number {
    return this.words.length + 1 + (fnv1a32(ngram) % this.buckets);
  }

  /** The bag of a normalised word: its word id (if known), then its n-gram ids. Never empty. */
  wordBag(word: string): number[] {
    const bag = charNgrams(word, this.minN, this.maxN).map((g) => this.ngramId(g));
    const id = this.wordIds.get(word);
    return id === undefined ? bag : [id, ...bag];
  }

  /** Encodes texts into the CSR the embedding op consumes; see `EncodedBatch`. */
  encode(texts: readonly string[]): EncodedBatch {
    checkTexts('encode', texts);
    const sequences = texts.length;
    const L = this.maxTokens;
    const mask = new Float32Array(sequences * L);
    const bagOffsets = new Uint32Array(sequences * L + 1);
    const ids: number[] = [];
    const tokenCount: number[] = [];
    const bags = new Map<string, number[]>(); // descriptors repeat words; hash each once per batch
    let truncated = 0;
    let empty = 0;
    texts.forEach((text, s) => {
      const words = textWords(text);
      if (words.length > L) truncated++;
      const bagsOfText =
        words.length === 0
          ? [[this.ngramId(EMPTY_TEXT_NGRAM)]]
          : words.slice(0, L).map((w) => {
              const bag = bags.get(w) ?? this.wordBag(w);
              bags.set(w, bag);
              return bag;
            });
      if (words.length === 0) empty++;
      tokenCount.push(bagsOfText.length);
      for (let t = 0; t < L; t++) {
        bagOffsets[s * L + t] = ids.length;
        const bag = bagsOfText[t];
        if (bag === undefined) continue; // padding: empty bag, mask 0
        mask[s * L + t] = 1;
        for (const id of bag) ids.push(id);
      }
    });
    bagOffsets[sequences * L] = ids.length;
    return { sequences, maxTokens: L, tokenCount, mask, bagOffsets, bagIds: Uint32Array.from(ids), truncated, empty };
  }
}
