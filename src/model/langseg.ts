/**
 * The whole LangSeg graph (docs/MODEL.md): images -> normalise -> image encoder -> pyramid -> text-visual
 * cross-attention with the descriptor embeddings -> decoder -> descriptor and class scores -> logits, and,
 * for training, the four losses against a label input. One function builds it for a batch size and a
 * descriptor set; training and inference graphs of one model share parameters by name.
 */
import type { DescriptorSet } from '../descriptors/descriptor-set.js';
import { flattenDescriptors } from '../descriptors/descriptor-set.js';
import type { Tokenizer } from '../descriptors/tokenizer.js';
import { ShapeError } from '../errors.js';
import { Graph, type SymbolicTensor } from '../graph/graph.js';
import type { LangSegConfig } from './config.js';
import { pixelDecoder } from './decoder.js';
import { descriptorScores, l2Normalize } from './descriptor-head.js';
import { textVisualFusion } from './fusion.js';
import { imageEncoder } from './image-encoder.js';
import { downsampleLabels, genLoss, msLoss, segLoss, totalLoss, tripletLoss, type LossTerms } from './losses.js';
import { featurePyramid } from './pyramid.js';
import { classEmbeddings, textEncoder } from './text-encoder.js';

/** ImageNet statistics: the model normalises its [0, 1] RGB input with them as its first step. */
export const IMAGE_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGE_STD = [0.229, 0.224, 0.225] as const;

export interface LangSegBuildOptions {
  batch: number;
  /** The classes and their descriptors (for inference, any set: open vocabulary). */
  descriptors: DescriptorSet;
  /** The model's tokenizer (its vocabulary fixes the embedding table's size). */
  tokenizer: Tokenizer;
  /** Add the label input and the losses. */
  training: boolean;
  /**
   * Precomputed descriptor embeddings [K, D] (row k for the set's k-th descriptor in order) to use
   * instead of the language encoder: frozen, no `text.*` parameters. See readDescriptorEmbeddings.
   */
  frozenEmbeddings?: Float32Array;
}

export interface LangSegGraph {
  graph: Graph;
  /** Input [B, 3, H, W], RGB in [0, 1]. */
  images: SymbolicTensor;
  /** Input [B, H, W] of class ids (255: ignore); training graphs only. */
  labels: SymbolicTensor | null;
  /** [B, C, H, W] class scores at full resolution. */
  logits: SymbolicTensor;
  /** [B, C, H/4, W/4] and [B, K, H/4, W/4]. */
  classScores: SymbolicTensor;
  descriptorScores: SymbolicTensor;
  /** Unit-length pixel embeddings [B, D, H/4, W/4] and descriptor embeddings [K, D]. */
  pixelEmbeddings: SymbolicTensor;
  descriptorEmbeddings: SymbolicTensor;
  losses: LossTerms | null;
  /** Class c owns descriptors [groups[c], groups[c+1]). */
  groups: number[];
  classes: string[];
}

function normalizeImages(g: Graph, images: SymbolicTensor): SymbolicTensor {
  const mean = g.constant(IMAGE_MEAN, [1, 3, 1, 1], 'image_mean');
  const invStd = g.constant(IMAGE_STD.map((s) => 1 / s), [1, 3, 1, 1], 'image_inv_std');
  return g.mul(g.sub(images, mean), invStd);
}

/** Frozen embeddings as a constant [K, D], l2-normalised; a ShapeError when they do not fit the set or D. */
function frozenDescriptorEmbeddings(g: Graph, cfg: LangSegConfig, data: Float32Array, count: number): SymbolicTensor {
  const d = cfg.embedDim;
  if (data.length !== count * d) {
    const width = data.length / count;
    throw new ShapeError(
      `frozen descriptor embeddings: ${data.length} values do not make ${count} rows of embedDim ${d}` +
        (Number.isInteger(width) ? ` (they are ${width} wide: set embedDim to ${width}, or project them to ${d} first)` : ` (the set has ${count} descriptors)`),
    );
  }
  return l2Normalize(g, g.constant(data, [count, d], 'text.frozen_embeddings'), 1);
}

/** Build the LangSeg graph for `cfg` (see LangSegBuildOptions). */
export function buildLangSeg(cfg: LangSegConfig, options: LangSegBuildOptions): LangSegGraph {
  const { batch, descriptors, tokenizer, training } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new ShapeError(`buildLangSeg: batch must be a positive integer, got ${batch}`);
  if (tokenizer.maxTokens !== cfg.text.maxTokens) {
    throw new ShapeError(`buildLangSeg: the tokenizer cuts at ${tokenizer.maxTokens} tokens but the config says text.maxTokens = ${cfg.text.maxTokens}`);
  }
  const [h, w] = cfg.imageSize;
  const classes = descriptors.classes.length;
  const g = new Graph();
  const images = g.input('images', [batch, 3, h, w]);
  const pyramid = featurePyramid(g, cfg, imageEncoder(g, cfg, normalizeImages(g, images)));

  let t: SymbolicTensor;
  let groups: number[];
  if (cfg.ablation.noLanguage) {
    t = classEmbeddings(g, cfg, classes);
    groups = Array.from({ length: classes + 1 }, (_, c) => c);
  } else {
    const flat = flattenDescriptors(descriptors, { singleDescriptor: cfg.ablation.singleDescriptor });
    groups = flat.groups;
    t = options.frozenEmbeddings
      ? frozenDescriptorEmbeddings(g, cfg, options.frozenEmbeddings, flat.texts.length)
      : textEncoder(g, cfg, tokenizer.encode(flat.texts), tokenizer.vocabSize);
  }

  const fused = textVisualFusion(g, cfg, pyramid.query8, t, pyramid.fused);
  const e = pixelDecoder(g, cfg, fused);
  const scores = descriptorScores(g, e, t, groups, { tau: cfg.tau });
  const logits = g.apply('resize_bilinear', [scores.classScores], { size: [h, w] }, 'logits');

  let labels: SymbolicTensor | null = null;
  let losses: LossTerms | null = null;
  if (training) {
    labels = g.input('labels', [batch, h, w]);
    const ignore = cfg.ignoreLabel;
    const { losses: weights, ablation } = cfg;
    const labels4 = downsampleLabels(g, labels, [e.shape[2]!, e.shape[3]!]);
    const classWeights = weights.classWeights;
    if (classWeights && classWeights.length !== classes) {
      throw new ShapeError(`buildLangSeg: losses.classWeights has ${classWeights.length} weights but the descriptor set has ${classes} classes; give one per class, in its order`);
    }
    losses = totalLoss(
      g,
      {
        seg: segLoss(g, logits, labels, ignore, classWeights),
        gen: ablation.noGen || weights.gen === 0 ? undefined : genLoss(g, scores.classScores, labels4, ignore, classWeights),
        triplet:
          ablation.noTriplet || weights.triplet === 0
            ? undefined
            : tripletLoss(g, e, t, labels4, groups, { samples: weights.tripletSamples, margin: weights.tripletMargin, ignore }),
        ms: ablation.noMultiscale || weights.ms === 0 ? undefined : msLoss(g, pyramid.levels, t, groups, cfg.tau, labels, ignore, classWeights),
      },
      weights,
    );
  }
  return {
    graph: g,
    images,
    labels,
    logits,
    classScores: scores.classScores,
    descriptorScores: scores.descriptorScores,
    pixelEmbeddings: e,
    descriptorEmbeddings: t,
    losses,
    groups,
    classes: descriptors.classes,
  };
}
