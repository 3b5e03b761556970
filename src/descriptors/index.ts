/** Descriptors: the text side of LangSeg: the tokenizer, descriptor sets and files, the built-in sets, the LLM generator. */
export { Tokenizer, PAD_ID, EMPTY_TEXT_NGRAM } from './tokenizer.js';
export type { EncodedBatch, FromTextsOptions } from './tokenizer.js';
export { TOKENIZER_FORMAT, TOKENIZER_VERSION, MAX_VOCAB_SIZE, MAX_NGRAM } from './tokenizer-config.js';
export type { TokenizerConfig, TokenizerJSON } from './tokenizer-config.js';
export { normalizeText, splitWords, textWords, charNgrams } from './text.js';
export { fnv1a32 } from './hash.js';
export { validateDescriptorSet, flattenDescriptors } from './descriptor-set.js';
export type { DescriptorSet } from './descriptor-set.js';
export { parseDescriptorFile, serializeDescriptorFile, subsetDescriptors, DESCRIPTOR_FORMAT, DESCRIPTOR_FILE_VERSION, MIN_DESCRIPTORS_PER_CLASS, MAX_DESCRIPTORS_PER_CLASS, MIN_DESCRIPTOR_LENGTH, MAX_DESCRIPTOR_LENGTH, MAX_CLASS_NAME_LENGTH } from './descriptor-file.js';
export type { DescriptorFile, DescriptorFileMeta } from './descriptor-file.js';
export { builtinDescriptors, BUILTIN_DESCRIPTOR_SETS } from './builtin.js';
export type { BuiltinDescriptorSetName } from './builtin.js';
export { describeClasses, describeClass, chatCompletionsUrl, descriptorCacheKey, MAX_RESPONSE_BYTES, PROMPT_VERSION } from './llm.js';
export type { DescribeOptions, DescriptorCache, CachedDescriptors } from './llm.js';
