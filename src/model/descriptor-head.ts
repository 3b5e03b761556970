/**
 * LangSeg's descriptor-scoring head as a graph building block (DESIGN.md section 2, step 5): with e(p) the
 * L2-normalised pixel embedding and t[k] the L2-normalised descriptor embeddings,
 *   descriptor score s[k](p) = tau * <e(p), t[k]>,
 *   class score      S[c](p) = logsumexp over the descriptors k of class c of s[k](p),
 * where class c owns descriptors k in [groups[c], groups[c+1]). Composed from existing ops, so its
 * gradients come from theirs.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';

export interface DescriptorHeadOptions {
  /** Temperature multiplying the cosine similarities (the logit scale). */
  tau: number;
  /** Added to the squared norm before the square root in both normalisations (default 1e-6). */
  eps?: number;
}

export interface DescriptorHeadScores {
  /** s: [B, K, H, W], one map per descriptor. */
  descriptorScores: SymbolicTensor;
  /** S: [B, C, H, W], one map per class. */
  classScores: SymbolicTensor;
}

/**
 * x / sqrt(sum over `axis` of x^2 + eps), as x * rsqrt(...) with the norm kept as a size-1 axis and
 * broadcast back. eps keeps a zero vector at zero instead of NaN (its norm is treated as >= sqrt(eps)).
 */
export function l2Normalize(g: Graph, x: SymbolicTensor, axis: number, eps = 1e-6): SymbolicTensor {
  const rank = x.shape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`l2Normalize: axis ${axis} is out of range for ${x} (rank ${rank}: use -${rank} to ${rank - 1})`);
  }
  if (!(eps > 0)) throw new ShapeError(`l2Normalize: eps must be positive, got ${eps}`);
  const squaredNorm = g.sum(g.square(x), [axis < 0 ? axis + rank : axis], true);
  return g.mul(x, g.unary('rsqrt', g.add(squaredNorm, g.fill(eps, [1]))));
}

/**
 * Score pixel embeddings [B, D, H, W] against descriptor embeddings [K, D]: both L2-normalised over D,
 * one batched matmul, then group log-sum-exp over each class's descriptors.
 */
export function descriptorScores(
  g: Graph,
  pixels: SymbolicTensor,
  descriptors: SymbolicTensor,
  groups: number[],
  options: DescriptorHeadOptions,
): DescriptorHeadScores {
  if (pixels.shape.length !== 4) throw new ShapeError(`descriptorScores: pixels must be [B, D, H, W], got ${formatShape(pixels.shape)}`);
  const [b, d, h, w] = pixels.shape as [number, number, number, number];
  if (descriptors.shape.length !== 2 || descriptors.shape[1] !== d) {
    throw new ShapeError(
      `descriptorScores: descriptors must be [K, D] with D = ${d} (the channels of pixels ${formatShape(pixels.shape)}), got ${formatShape(descriptors.shape)}`,
    );
  }
  if (!Number.isFinite(options.tau)) throw new ShapeError(`descriptorScores: tau must be a finite number, got ${options.tau}`);
  const k = descriptors.shape[0]!;
  const eps = options.eps ?? 1e-6;
  const pixelEmbeddings = l2Normalize(g, g.reshape(pixels, [b, d, h * w]), 1, eps);
  // tau scales the K x D descriptors rather than the B x K x H x W scores: the same product, far fewer multiplies.
  const scaledDescriptors = g.scale(l2Normalize(g, descriptors, 1, eps), options.tau);
  // [K, D] @ [B, D, H*W] -> [B, K, H*W]: matmul broadcasts the 2-D operand over the batch.
  const scores = g.reshape(g.matmul(scaledDescriptors, pixelEmbeddings), [b, k, h, w]);
  return { descriptorScores: scores, classScores: g.apply('group_logsumexp', [scores], { groups, axis: 1 }) };
}
