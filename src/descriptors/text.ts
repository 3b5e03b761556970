/**
 * Descriptor text -> words, and a word -> its character n-grams. Pure string functions, written so a
 * Python mirror can reproduce them exactly (the mirror is noted next to each function).
 */

/**
 * Typographic apostrophes that mean the same as U+0027 inside a word ("person’s"). NFKC leaves them
 * alone, so they are mapped by hand; U+02BC is a *letter* (Lm) and would otherwise glue words.
 */
const APOSTROPHES = /[\u2019\u02bc]/gu;

/**
 * A word: a letter or digit, then letters, digits and combining marks (marks carry vowels and
 * accents in many scripts, so they must not split a word), optionally joined to more such runs by
 * single inner apostrophes. So "person's" and "don't" are one word each (their n-grams still share
 * "<person" with "person"), while a leading, trailing or doubled apostrophe separates like any other
 * punctuation. Hyphens separate: "well-lit" is "well", "lit".
 * Python mirror (the `regex` package, which knows \p{..}): the same pattern.
 */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:'[\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;

/**
 * Canonical form of a text: NFKC (fullwidth and ligature forms to plain letters), lower case
 * (locale-independent), NFKC again (NFKC can produce capitals, e.g. "Ⅻ" -> "XII", and lower-casing
 * can produce unnormalised sequences), typographic apostrophes as U+0027.
 * Python mirror: `unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', t).lower())` then the
 * same apostrophe replacement. (Python and Node may ship different Unicode versions; texts in
 * characters newer than the older of the two may differ.)
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKC').replace(APOSTROPHES, "'");
}

/** The words of an already-normalised text, in order: maximal matches of the word pattern above. */
export function splitWords(normalized: string): string[] {
  return Array.from(normalized.matchAll(WORD), (m) => m[0]);
}

/** `splitWords(normalizeText(text))`: what the tokenizer treats as the words of a descriptor. */
export function textWords(text: string): string[] {
  return splitWords(normalizeText(text));
}

/**
 * The character n-grams of `word`, fastText style: every substring of `<word>` (boundary markers
 * included) whose length in code points is in [minN, maxN], ordered by start position, then by
 * length. The whole `<word>` is among them when its length is within [minN, maxN]. When `<word>` is
 * shorter than minN (only possible for minN > 3, since `<w>` has at least 3 code points), it is
 * returned whole as the single n-gram, so every word has at least one n-gram. Repeats are kept
 * ("banana" has "ana" twice), as in fastText: the embedding mean then weights them twice.
 * Python mirror: `w = '<' + word + '>'`, `[w[i:i+n] for i in range(len(w)) for n in range(minN,
 * maxN+1) if i+n <= len(w)] or [w]` (Python strings index code points, as `Array.from` does here).
 */
export function charNgrams(word: string, minN: number, maxN: number): string[] {
  const chars = Array.from(`<${word}>`);
  if (chars.length < minN) return [chars.join('')];
  const grams: string[] = [];
  for (let start = 0; start < chars.length; start++) {
    for (let n = minN; n <= maxN && start + n <= chars.length; n++) grams.push(chars.slice(start, start + n).join(''));
  }
  return grams;
}

/** Orders strings by Unicode code point, as Python's `sorted` does (JS `<` compares UTF-16 units instead). */
export function compareCodePoints(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}
