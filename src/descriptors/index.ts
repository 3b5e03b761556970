/** Descriptors: the text side of LangSeg (tokenizer now; built-in descriptor sets and the generator later). */
export { Tokenizer, PAD_ID, EMPTY_TEXT_NGRAM } from './tokenizer.js';
export type { EncodedBatch, FromTextsOptions } from './tokenizer.js';
export { TOKENIZER_FORMAT, TOKENIZER_VERSION, MAX_VOCAB_SIZE, MAX_NGRAM } from './tokenizer-config.js';
export type { TokenizerConfig, TokenizerJSON } from './tokenizer-config.js';
export { normalizeText, splitWords, textWords, charNgrams } from './text.js';
export { fnv1a32 } from './hash.js';
export { validateDescriptorSet, flattenDescriptors } from './descriptor-set.js';
export type { DescriptorSet } from './descriptor-set.js';
