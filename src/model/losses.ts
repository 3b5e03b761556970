/**
 * LangSeg's four losses as graph building blocks, exactly as docs/MODEL.md section 6 (and
 * tools/pytorch/mirror/losses.py, their PyTorch twin). Every term is a [1] tensor; labels are f32 class ids
 * with `ignore` (255) for pixels that count for nothing, and a term with no valid pixel is 0.
 *   L_seg     = cross-entropy of the full-resolution logits;
 *   L_gen     = cross-entropy of the class scores at stride 4 (= -log of the summed softmax over all
 *               descriptors of the label's class, because S[c] is the class log-sum-exp);
 *   L_triplet = hinge on fixed, seeded sample pixels: relu(margin - best own-class cosine + best other-class cosine);
 *   L_ms      = mean over the pyramid levels of the cross-entropy of each level's auxiliary class scores;
 *   total     = L_seg + gen * L_gen + triplet * L_triplet + ms * L_ms over the terms that are built.
 * With class weights (config.losses.classWeights) the three cross-entropies are PyTorch's weighted means.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { seededRandom } from '../graph/init.js';
import { formatShape } from '../kernels/shape.js';
import type { LossWeights } from './config.js';
import { descriptorScores } from './descriptor-head.js';

export { checkLabels } from '../kernels/cross-entropy.js';

/** The loss terms of one step; a term switched off (ablation or weight 0) is absent. */
export interface LossTerms {
  total: SymbolicTensor;
  seg: SymbolicTensor;
  gen?: SymbolicTensor;
  triplet?: SymbolicTensor;
  ms?: SymbolicTensor;
}

export interface TripletOptions {
  /** Sample pixels per image (config.losses.tripletSamples). */
  samples: number;
  /** Margin of the hinge, in cosine distance (config.losses.tripletMargin). */
  margin: number;
  /** Seed of the sample positions (default 0). */
  seed?: number;
  /** Ignored label (default 255). */
  ignore?: number;
}

/** Attributes of a cross_entropy node: the ignore label and, when given, one weight per class. */
function crossEntropyAttrs(ignore: number, classWeights?: readonly number[]): Record<string, unknown> {
  return classWeights ? { ignore, weights: [...classWeights] } : { ignore };
}

/**
 * L_seg: cross-entropy of logits [B, C, H, W] with labels [B, H, W], mean over non-ignored pixels (with
 * `classWeights`, PyTorch's weighted mean: each pixel counts its class's weight).
 */
export function segLoss(g: Graph, logits: SymbolicTensor, labels: SymbolicTensor, ignore = 255, classWeights?: readonly number[]): SymbolicTensor {
  return g.apply('cross_entropy', [logits, labels], crossEntropyAttrs(ignore, classWeights));
}

/**
 * L_gen: -log P(label | image, descriptors) at stride 4 with P(c) = sum over k in c of softmax over all K of
 * s. With classScores4 = S (the log-sum-exp of each class's descriptor scores, [B, C, h, w]),
 * logsumexp_c S = logsumexp_k s, so this is the cross-entropy of S with labels4 [B, h, w].
 */
export function genLoss(g: Graph, classScores4: SymbolicTensor, labels4: SymbolicTensor, ignore = 255, classWeights?: readonly number[]): SymbolicTensor {
  return g.apply('cross_entropy', [classScores4, labels4], crossEntropyAttrs(ignore, classWeights));
}

/**
 * Labels [B, H, W] resized to [B, h, w] by nearest neighbour, as PyTorch's
 * F.interpolate(labels[:, None], size=(h, w), mode='nearest')[:, 0] (source index floor(i * H / h)).
 * The same size returns `labels` itself.
 */
export function downsampleLabels(g: Graph, labels: SymbolicTensor, size: readonly [number, number] | readonly number[]): SymbolicTensor {
  if (labels.shape.length !== 3) throw new ShapeError(`downsampleLabels: labels must be [B, H, W], got ${formatShape(labels.shape)}`);
  const [b, hIn, wIn] = labels.shape as [number, number, number];
  const [h, w] = size as [number, number];
  if (size.length !== 2 || !Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new ShapeError(`downsampleLabels: size must be [h, w], two positive integers, got [${size.join(', ')}]`);
  }
  if (h === hIn && w === wIn) return labels;
  const resized = g.apply('resize_nearest', [g.reshape(labels, [b, 1, hIn, wIn])], { size: [h, w] });
  return g.reshape(resized, [b, h, w]);
}

/**
 * The triplet loss's fixed sample positions: for image b = 0..batch-1, then sample i = 0..samples-1, one
 * draw r of seededRandom(seed) (mulberry32, src/graph/init.ts) gives the flat position
 * b * h * w + floor(r * h * w) in the [B, h, w] map (with replacement). tools/pytorch/mirror/losses.py
 * implements the same generator and draw, so the mirror samples the same pixels.
 */
export function tripletSamplePositions(batch: number, height: number, width: number, samples: number, seed = 0): number[] {
  for (const [name, v] of [['batch', batch], ['height', height], ['width', width], ['samples', samples]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`tripletSamplePositions: ${name} must be a positive integer, got ${v}`);
  }
  const random = seededRandom(seed);
  const pixels = height * width;
  const positions: number[] = [];
  for (let b = 0; b < batch; b++) for (let i = 0; i < samples; i++) positions.push(b * pixels + Math.floor(random() * pixels));
  return positions;
}

/** Check the shapes of tripletLoss's inputs against pixels [B, D, h, w]. */
function checkTripletShapes(pixels: SymbolicTensor, descriptors: SymbolicTensor, labels4: SymbolicTensor, groups: readonly number[]): void {
  const op = 'tripletLoss';
  if (pixels.shape.length !== 4) throw new ShapeError(`${op}: pixels must be [B, D, h, w], got ${formatShape(pixels.shape)}`);
  const [b, d, h, w] = pixels.shape as [number, number, number, number];
  if (descriptors.shape.length !== 2 || descriptors.shape[1] !== d) {
    throw new ShapeError(`${op}: descriptors must be [K, D] with D = ${d} (the channels of pixels ${formatShape(pixels.shape)}), got ${formatShape(descriptors.shape)}`);
  }
  if (formatShape(labels4.shape) !== formatShape([b, h, w])) {
    throw new ShapeError(`${op}: labels4 must be [${b}, ${h}, ${w}] (pixels ${formatShape(pixels.shape)} without channels), got ${formatShape(labels4.shape)}`);
  }
  if (groups[groups.length - 1] !== descriptors.shape[0]) {
    throw new ShapeError(`${op}: the groups must end at K = ${descriptors.shape[0]} (descriptors ${formatShape(descriptors.shape)}), but groups[C] = ${groups[groups.length - 1]}`);
  }
}

/**
 * L_triplet on `samples` fixed pixels per image (tripletSamplePositions): anchors e(p) from pixels
 * [B, D, h, w] (unit length), sims[p, k] = <e(p), t[k]> with descriptors t [K, D] (unit length, so sims are
 * cosines), pos = max of sims over the label's class, neg = max over the other classes, and the mean of
 * relu(margin - pos + neg) over samples whose label names a class (0 when none does). With d = 1 - cos
 * this is relu(margin + d(a, p) - d(a, n)).
 */
export function tripletLoss(
  g: Graph,
  pixels: SymbolicTensor,
  descriptors: SymbolicTensor,
  labels4: SymbolicTensor,
  groups: readonly number[],
  options: TripletOptions,
): SymbolicTensor {
  checkTripletShapes(pixels, descriptors, labels4, groups);
  if (!Number.isFinite(options.margin)) throw new ShapeError(`tripletLoss: margin must be a finite number, got ${options.margin}`);
  const [b, d, h, w] = pixels.shape as [number, number, number, number];
  const ignore = options.ignore ?? 255;
  const ids = tripletSamplePositions(b, h, w, options.samples, options.seed ?? 0);
  // Gather rows with bags of one id each: anchors from the [B*h*w, D] pixel table, labels from [B*h*w, 1].
  const bags = { offsets: Array.from({ length: ids.length + 1 }, (_, i) => i), ids, mode: 'sum' };
  const table = g.reshape(g.transpose(pixels, [0, 2, 3, 1]), [b * h * w, d]);
  const anchors = g.apply('embedding_bag', [table], bags);
  const sampleLabels = g.reshape(g.apply('embedding_bag', [g.reshape(labels4, [b * h * w, 1])], bags), [ids.length]);
  const sims = g.matmul(anchors, descriptors, { transB: true });
  const mask = g.apply('group_mask', [sampleLabels], { groups, ignore });
  // Cosines lie in [-1, 1]: moving the excluded entries down by 4 puts them below every included one.
  const pos = g.max(g.sub(sims, g.scale(g.sub(g.fill(1, [1]), mask), 4)), [1]);
  const neg = g.max(g.sub(sims, g.scale(mask, 4)), [1]);
  // 1 where the label names a class (groups are never empty), 0 for ignored samples.
  const valid = g.max(mask, [1]);
  const hinge = g.relu(g.add(g.sub(neg, pos), g.fill(options.margin, [1])));
  const total = g.sum(g.mul(hinge, valid), [0], true);
  const count = g.sum(valid, [0], true);
  return g.div(total, g.binary('maximum', count, g.fill(1, [1])));
}

/**
 * L_ms: for each pyramid level P_l [B, D, hl, wl], auxiliary class scores from e_l = l2n(P_l) and the
 * descriptors exactly as the main head (descriptorScores: both normalised, tau, group log-sum-exp), their
 * cross-entropy with nearest(labels, [hl, wl]), and the mean over the levels.
 */
export function msLoss(
  g: Graph,
  levels: readonly SymbolicTensor[],
  descriptors: SymbolicTensor,
  groups: number[],
  tau: number,
  labels: SymbolicTensor,
  ignore = 255,
  classWeights?: readonly number[],
): SymbolicTensor {
  if (levels.length === 0) throw new ShapeError('msLoss: needs at least one pyramid level, got none');
  const terms = levels.map((level) => {
    if (level.shape.length !== 4) throw new ShapeError(`msLoss: every level must be [B, D, h, w], got ${formatShape(level.shape)}`);
    const { classScores } = descriptorScores(g, level, descriptors, groups, { tau });
    return g.apply('cross_entropy', [classScores, downsampleLabels(g, labels, [level.shape[2]!, level.shape[3]!])], crossEntropyAttrs(ignore, classWeights));
  });
  return g.scale(terms.reduce((acc, t) => g.add(acc, t)), 1 / levels.length);
}

/**
 * L_total = seg + gen * L_gen + triplet * L_triplet + ms * L_ms over the terms given (an ablated term is
 * left out, so it is neither built nor reported); a term given with weight 0 is reported but not added.
 */
export function totalLoss(
  g: Graph,
  terms: { seg: SymbolicTensor; gen?: SymbolicTensor; triplet?: SymbolicTensor; ms?: SymbolicTensor },
  weights: Pick<LossWeights, 'gen' | 'triplet' | 'ms'>,
): LossTerms {
  let total = terms.seg;
  for (const key of ['gen', 'triplet', 'ms'] as const) {
    const term = terms[key];
    if (!term) continue;
    if (term.size !== 1) throw new ShapeError(`totalLoss: the ${key} term must be one value, got ${term}`);
    if (!Number.isFinite(weights[key])) throw new ShapeError(`totalLoss: the weight of ${key} must be a finite number, got ${weights[key]}`);
    if (weights[key] !== 0) total = g.add(total, g.scale(term, weights[key]));
  }
  return { ...terms, total };
}
