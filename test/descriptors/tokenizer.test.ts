/** The descriptor tokenizer: words, n-grams, ids, the CSR batch, and the stored form. CPU only. */
import { describe, expect, it } from 'vitest';
import { LangsegError, TokenizerError } from '../../src/errors.js';
import { charNgrams, EMPTY_TEXT_NGRAM, fnv1a32, normalizeText, PAD_ID, textWords, Tokenizer } from '../../src/descriptors/index.js';
import type { EncodedBatch } from '../../src/descriptors/index.js';

const CORPUS = [
  'a seated person at a table',
  'a standing adult in everyday clothes',
  'green leafy canopy',
  'a child',
  'a wooden table with four legs',
];

/** The ids of slot k's bag. */
function bagAt(batch: EncodedBatch, k: number): number[] {
  return Array.from(batch.bagIds.subarray(batch.bagOffsets[k]!, batch.bagOffsets[k + 1]!));
}

describe('normalisation and words', () => {
  it('lower-cases and splits on punctuation and spaces', () => {
    expect(textWords('A Seated PERSON, at a table!')).toEqual(['a', 'seated', 'person', 'at', 'a', 'table']);
    expect(textWords('well-lit (indoor) room; 2 chairs')).toEqual(['well', 'lit', 'indoor', 'room', '2', 'chairs']);
    expect(textWords('  \t\n ')).toEqual([]);
  });

  it('applies NFKC: fullwidth, ligatures, roman numerals, composed accents', () => {
    expect(textWords('ＰＥＲＳＯＮ ﬁre Ⅻ')).toEqual(['person', 'fire', 'xii']);
    expect(textWords('cafe\u0301')).toEqual(['caf\u00e9']); // e + combining acute -> one precomposed letter
    expect(normalizeText('ΟΔΟΣ')).toBe('οδος'); // final sigma, as Python's str.lower gives
  });

  it('keeps inner apostrophes (typographic ones too) and combining marks inside words', () => {
    expect(textWords("a person's bag, don’t")).toEqual(['a', "person's", 'bag', "don't"]);
    expect(textWords("'quoted' rock 'n' roll o''clock")).toEqual(['quoted', 'rock', 'n', 'roll', 'o', 'clock']);
    expect(textWords('हिन्दी भाषा')).toEqual(['हिन्दी', 'भाषा']); // vowel signs and virama are marks
  });
});

describe('character n-grams', () => {
  it('takes every substring of <word> with length in [minN, maxN], by start then length', () => {
    expect(charNgrams('ab', 3, 5)).toEqual(['<ab', '<ab>', 'ab>']);
    const person = charNgrams('person', 3, 5);
    expect(person).toHaveLength(6 + 5 + 4); // "<person>" has 8 code points; the whole is longer than maxN
    expect(person.slice(0, 4)).toEqual(['<pe', '<per', '<pers', 'per']);
    expect(person).not.toContain('<person>');
  });

  it('gives a one-letter word its whole <w>, also when <w> is shorter than minN', () => {
    expect(charNgrams('a', 3, 5)).toEqual(['<a>']);
    expect(charNgrams('a', 4, 6)).toEqual(['<a>']);
    expect(charNgrams('ab', 5, 6)).toEqual(['<ab>']);
  });

  it('counts code points, not UTF-16 units, and keeps repeats', () => {
    expect(charNgrams('日本', 3, 5)).toEqual(['<日本', '<日本>', '日本>']);
    expect(charNgrams('\u{20000}', 3, 3)).toEqual(['<\u{20000}>']);
    expect(charNgrams('banana', 3, 3).filter((g) => g === 'ana')).toHaveLength(2);
  });
});

describe('FNV-1a 32-bit over UTF-8 (test vectors a Python mirror can check)', () => {
  // (text, hash): the first three are the FNV reference vectors; the rest were computed with the
  // Python mirror in src/descriptors/hash.ts and exercise 2- and 3-byte UTF-8.
  const VECTORS: [string, number][] = [
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
    ['<a>', 0x8c9cd1f0],
    ['<>', 0x93f7201f],
    ['<pe', 0x5377a75c],
    ['son>', 0x3a5dba9f],
    ['<é>', 0xfbb4e9d7],
    ['<日本', 0x8bc5bbbb],
    ["<person's>", 0x2332e46a],
  ];
  it.each(VECTORS)('fnv1a32(%j) = %i', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });
});

describe('ids', () => {
  const tok = new Tokenizer({ words: ['person', 'table'], buckets: 1 << 20, minN: 3, maxN: 5, maxTokens: 8 });

  it('lays out PAD, words, then buckets', () => {
    expect(tok.vocabSize).toBe(1 + 2 + (1 << 20));
    expect(tok.wordId('person')).toBe(1);
    expect(tok.wordId('table')).toBe(2);
    expect(tok.ngramId('<pe')).toBe(3 + (0x5377a75c % (1 << 20)));
  });

  it('gives a known word its word id then its n-gram ids', () => {
    const ngramIds = charNgrams('person', 3, 5).map((g) => tok.ngramId(g));
    expect(tok.wordBag('person')).toEqual([1, ...ngramIds]);
    expect(bagAt(tok.encode(['Person']), 0)).toEqual([1, ...ngramIds]);
  });

  it('gives an unseen word n-gram ids only, shared with another word only through shared n-grams', () => {
    const persons = tok.wordBag('persons');
    expect(persons.every((id) => id > tok.words.length)).toBe(true);
    expect(persons).toEqual(charNgrams('persons', 3, 5).map((g) => tok.ngramId(g)));

    const a = charNgrams('personal', 3, 5);
    const b = charNgrams('impersonate', 3, 5);
    const sharedGramIds = new Set(a.filter((g) => b.includes(g)).map((g) => tok.ngramId(g)));
    const idsB = new Set(tok.wordBag('impersonate'));
    const sharedIds = new Set(tok.wordBag('personal').filter((id) => idsB.has(id)));
    expect(sharedGramIds.size).toBeGreaterThan(0); // "per", "pers", "erso", ...
    expect([...sharedIds].every((id) => sharedGramIds.has(id))).toBe(true);
    // And an unseen word still overlaps the known word it resembles.
    expect(persons.filter((id) => tok.wordBag('person').includes(id)).length).toBeGreaterThan(5);
  });

  it('keeps every id in [1, vocabSize), small bucket counts included', () => {
    const small = Tokenizer.fromTexts(CORPUS, { buckets: 7, maxTokens: 6 });
    const texts = [...CORPUS, 'unseen zebra-striped 日本 café ﬁre', '', '!!!', 'a b c d e f g h i j'];
    const batch = small.encode(texts);
    expect(batch.bagIds.length).toBeGreaterThan(0);
    for (const id of batch.bagIds) {
      expect(id).toBeGreaterThan(PAD_ID);
      expect(id).toBeLessThan(small.vocabSize);
    }
  });
});

describe('fromTexts', () => {
  it('orders words by count, then by code point, whatever the order of the texts', () => {
    const tok = Tokenizer.fromTexts(['b a', 'a c', 'B']);
    expect(tok.words).toEqual(['a', 'b', 'c']);
    // U+FA0E sorts before U+20000 by code point, after it by UTF-16 unit (0xFA0E > 0xD840).
    expect(Tokenizer.fromTexts(['\u{20000} \uFA0E']).words).toEqual(['\uFA0E', '\u{20000}']);
  });

  it('is deterministic: shuffled or duplicated corpora give the same ids', () => {
    const base = Tokenizer.fromTexts(CORPUS);
    const shuffled = Tokenizer.fromTexts([...CORPUS].reverse());
    const doubled = Tokenizer.fromTexts([...CORPUS, ...CORPUS]);
    expect(shuffled.toJSON()).toEqual(base.toJSON());
    expect(doubled.toJSON()).toEqual(base.toJSON());
    expect(Tokenizer.fromTexts(CORPUS).encode(CORPUS)).toEqual(base.encode(CORPUS));
  });

  it('applies minCount and maxWords and validates them', () => {
    expect(Tokenizer.fromTexts(CORPUS, { minCount: 2 }).words).toEqual(['a', 'table']);
    expect(Tokenizer.fromTexts(CORPUS, { maxWords: 1 }).words).toEqual(['a']);
    const ngramOnly = Tokenizer.fromTexts(CORPUS, { maxWords: 0, buckets: 100 });
    expect(ngramOnly.vocabSize).toBe(101);
    expect(() => Tokenizer.fromTexts(CORPUS, { minCount: 0 })).toThrow(/minCount must be an integer/);
    expect(() => Tokenizer.fromTexts(CORPUS, { maxWords: -1 })).toThrow(TokenizerError);
    expect(() => Tokenizer.fromTexts([3] as unknown as string[])).toThrow(/texts\[0\] must be a string/);
  });
});

describe('encode', () => {
  const tok = Tokenizer.fromTexts(CORPUS, { maxTokens: 4 });

  it('packs a consistent CSR: offsets, mask and token counts agree', () => {
    const texts = ['a child', 'green leafy canopy', 'a seated person at a table'];
    const batch = tok.encode(texts);
    const L = 4;
    expect(batch.sequences).toBe(3);
    expect(batch.maxTokens).toBe(L);
    expect(batch.mask).toHaveLength(3 * L);
    expect(batch.bagOffsets).toHaveLength(3 * L + 1);
    expect(batch.bagOffsets[0]).toBe(0);
    expect(batch.bagOffsets[3 * L]).toBe(batch.bagIds.length);
    expect(batch.tokenCount).toEqual([2, 3, 4]);
    for (let s = 0; s < 3; s++) {
      for (let t = 0; t < L; t++) {
        const k = s * L + t;
        const size = batch.bagOffsets[k + 1]! - batch.bagOffsets[k]!;
        const real = t < batch.tokenCount[s]!;
        expect(batch.mask[k]).toBe(real ? 1 : 0);
        expect(size > 0).toBe(real); // padding bags are empty, real ones are not
      }
    }
    expect(bagAt(batch, L + 2)).toEqual(tok.wordBag('canopy'));
  });

  it('truncates to maxTokens, keeps the first words and counts the texts cut', () => {
    const batch = tok.encode(['a seated person at a table', 'a child', 'one two three four five']);
    expect(batch.truncated).toBe(2);
    expect(batch.tokenCount).toEqual([4, 2, 4]);
    expect([0, 1, 2, 3].map((t) => bagAt(batch, t))).toEqual(['a', 'seated', 'person', 'at'].map((w) => tok.wordBag(w)));
  });

  it('gives a text with no words one token, the empty-text n-gram, so a mean pool never divides by zero', () => {
    const batch = tok.encode(['', ' ,.;!? ', 'a child']);
    expect(batch.empty).toBe(2);
    expect(batch.tokenCount).toEqual([1, 1, 2]);
    expect(bagAt(batch, 0)).toEqual([tok.ngramId(EMPTY_TEXT_NGRAM)]);
    expect(bagAt(batch, 4)).toEqual([tok.ngramId(EMPTY_TEXT_NGRAM)]);
    for (let s = 0; s < 3; s++) expect(batch.mask.subarray(s * 4, s * 4 + 4).reduce((x, y) => x + y)).toBeGreaterThan(0);
  });

  it('encodes an empty batch, and rejects texts that are not strings', () => {
    const batch = tok.encode([]);
    expect(batch.sequences).toBe(0);
    expect(Array.from(batch.bagOffsets)).toEqual([0]);
    expect(batch.bagIds).toHaveLength(0);
    expect(() => tok.encode([null] as unknown as string[])).toThrow(TokenizerError);
    expect(() => tok.encode('a child' as unknown as string[])).toThrow(/array of strings/);
  });
});

describe('stored form', () => {
  const tok = Tokenizer.fromTexts(CORPUS, { buckets: 512, maxTokens: 6 });
  const stored = tok.toJSON();

  it('round-trips through JSON text and through the parsed object', () => {
    const text = JSON.stringify(tok);
    for (const restored of [Tokenizer.fromJSON(text), Tokenizer.fromJSON(JSON.parse(text))]) {
      expect(restored.toJSON()).toEqual(stored);
      expect(restored.encode(CORPUS)).toEqual(tok.encode(CORPUS));
    }
  });

  const BAD: [string, unknown, RegExp][] = [
    ['not JSON', '{"format":', /not valid JSON/],
    ['an array', [], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['another format', { ...stored, format: 'bpe' }, /format must be "langseg-tokenizer"/],
    ['a newer version', { ...stored, version: 2 }, /version 2 is not supported/],
    ['an unknown field', { ...stored, extra: 1 }, /unknown field\(s\) extra/],
    ['words not an array', { ...stored, words: 'a b' }, /words must be an array/],
    ['a word that is not a string', { ...stored, words: ['a', 7] }, /words\[1\] must be a string, got 7/],
    ['a duplicate word', { ...stored, words: ['a', 'table', 'a'] }, /words\[2\] = "a" repeats words\[0\]/],
    ['an unnormalised word', { ...stored, words: ['Table'] }, /words\[0\] = "Table" is not one normalised word/],
    ['two words in one', { ...stored, words: ['a table'] }, /is not one normalised word/],
    ['an empty word', { ...stored, words: [''] }, /is not one normalised word/],
    ['zero buckets', { ...stored, buckets: 0 }, /buckets must be an integer in \[1, /],
    ['fractional buckets', { ...stored, buckets: 1.5 }, /buckets must be an integer/],
    ['buckets as a string', { ...stored, buckets: '512' }, /buckets must be an integer.*got "512"/],
    ['missing maxTokens', { ...stored, maxTokens: undefined }, /maxTokens must be an integer.*got undefined/],
    ['zero maxTokens', { ...stored, maxTokens: 0 }, /maxTokens must be an integer/],
    ['minN above maxN', { ...stored, minN: 6, maxN: 5 }, /maxN must be an integer in \[6, 32\], got 5/],
    ['minN zero', { ...stored, minN: 0 }, /minN must be an integer in \[1, 32\]/],
  ];
  it.each(BAD)('rejects %s with a TokenizerError', (_what, json, message) => {
    let error: unknown;
    try {
      Tokenizer.fromJSON(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error).toBeInstanceOf(LangsegError);
    expect((error as Error).message).toMatch(message);
  });

  it('validates a config given to the constructor the same way', () => {
    expect(() => new Tokenizer({ words: ['a', 'a'], buckets: 8, minN: 3, maxN: 5, maxTokens: 4 })).toThrow(TokenizerError);
    expect(() => new Tokenizer({ words: [], buckets: 0, minN: 3, maxN: 5, maxTokens: 4 })).toThrow(/buckets/);
  });
});
