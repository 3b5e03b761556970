/**
 * The language encoder (docs/MODEL.md section 4): token bags -> mean embedding -> + positions -> pre-norm
 * transformer layers over each descriptor's tokens (padding masked) -> LN -> masked mean -> l2n, giving
 * one unit vector per descriptor. The token bags are static per descriptor set (a new set is a new graph),
 * so they are op attributes, not tensors. `noLanguage` swaps all of it for learned per-class vectors.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import type { LangSegConfig } from './config.js';
import { l2Normalize } from './descriptor-head.js';
import { layerNorm, transformerBlock } from './transformer.js';

/** Tokenized descriptors, as src/descriptors/tokenizer.ts encodes them (S texts in L slots each). */
export interface TokenBatch {
  readonly sequences: number;
  readonly maxTokens: number;
  /** S*L: 1 for a real token, 0 for padding. */
  readonly mask: Float32Array;
  /** S*L+1 CSR offsets into bagIds: the bag of ids of each slot. */
  readonly bagOffsets: ArrayLike<number>;
  readonly bagIds: ArrayLike<number>;
}

/** t [S, D]: one unit-length embedding per tokenized descriptor. */
export function textEncoder(g: Graph, cfg: LangSegConfig, tokens: TokenBatch, vocabSize: number): SymbolicTensor {
  const d = cfg.embedDim;
  const { sequences: s, maxTokens: l } = tokens;
  if (l !== cfg.text.maxTokens) {
    throw new ShapeError(`textEncoder: tokens come in ${l} slots per descriptor, but the config says text.maxTokens = ${cfg.text.maxTokens}; encode with a tokenizer of that maxTokens`);
  }
  if (s < 1) throw new ShapeError('textEncoder: there are no descriptors to encode');
  if (tokens.mask.length !== s * l || tokens.bagOffsets.length !== s * l + 1) {
    throw new ShapeError(`textEncoder: ${s} descriptors x ${l} slots need a mask of ${s * l} and ${s * l + 1} bag offsets; got ${tokens.mask.length} and ${tokens.bagOffsets.length}`);
  }
  const counts = Array.from({ length: s }, (_, i) => tokens.mask.subarray(i * l, (i + 1) * l).reduce((a, b) => a + b, 0));
  const emptyAt = counts.findIndex((c) => c === 0);
  if (emptyAt >= 0) throw new ShapeError(`textEncoder: descriptor ${emptyAt} has no tokens (the tokenizer gives every text at least one)`);

  // N(0, 1) as PyTorch's nn.EmbeddingBag. With N(0, 0.02) the mean of a bag's rows (std ~0.01) was
  // smaller than the positions shared by every descriptor, so the descriptors started almost parallel
  // (mean cosine 0.84 across classes, against 0.39 with N(0, 1)) and the classes took hundreds of steps to part.
  const embed = g.param('text.embed.weight', [vocabSize, d], { kind: 'normal', std: 1 });
  const bags = g.apply('embedding_bag', [embed], { offsets: Array.from(tokens.bagOffsets), ids: Array.from(tokens.bagIds), mode: 'mean' });
  const positions = g.param('text.pos_embed', [1, l, d], { kind: 'normal', std: 0.02 }, { decay: false });
  let x = g.add(g.reshape(bags, [s, l, d]), positions);
  const mask = g.constant(tokens.mask, [s, l], 'text.token_mask');
  for (let i = 0; i < cfg.text.layers; i++) {
    x = transformerBlock(g, `text.layers.${i}`, x, { heads: cfg.text.heads, mlpRatio: cfg.text.mlpRatio, mask });
  }
  x = layerNorm(g, 'text.norm', x);
  // Masked mean over the real tokens: sum(x * mask) / count.
  const summed = g.sum(g.mul(x, g.reshape(mask, [s, l, 1])), [1]);
  const pooled = g.mul(summed, g.constant(counts.map((c) => 1 / c), [s, 1], 'text.inverse_token_count'));
  return l2Normalize(g, pooled, 1);
}

/** `noLanguage`: t [C, D] = l2n of learned per-class vectors (one "descriptor" per class). */
export function classEmbeddings(g: Graph, cfg: LangSegConfig, classes: number): SymbolicTensor {
  const table = g.param('text.class_embed', [classes, cfg.embedDim], { kind: 'normal', std: 0.02 });
  return l2Normalize(g, table, 1);
}
