/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of a string: the hash that puts a character n-gram in a
 * bucket. Chosen because it is tiny, well specified (offset basis 0x811c9dc5, prime 0x01000193) and
 * easy to mirror exactly in any language. Python mirror:
 *
 *     def fnv1a32(s):
 *         h = 0x811C9DC5
 *         for b in s.encode('utf-8'):
 *             h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
 *         return h
 *
 * The n-gram's bucket is `fnv1a32(ngram) % buckets`. Check values (also in the tests):
 * "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968 (the FNV reference vectors).
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// One encoder for all calls; lone surrogates become U+FFFD, as TextEncoder specifies (words never hold them).
const utf8 = new TextEncoder();

/** The 32-bit FNV-1a hash of `text`'s UTF-8 bytes, as an unsigned integer in [0, 2^32). */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) h = Math.imul(h ^ byte, FNV_PRIME);
  return h >>> 0;
}
