/**
 * The one typed configuration of a LangSeg model (DESIGN.md section 2), stored in every checkpoint. Presets
 * give sizes for the three targets (`tiny` for CPU/lavapipe, `small`, `base` with the ViT option);
 * `resolveConfig` fills a partial config from a preset and checks it.
 */
import { ShapeError } from '../errors.js';

export type Backbone = 'cnn' | 'vit';
export type PresetName = 'tiny' | 'small' | 'base';

export interface TextEncoderConfig {
  /** Pre-norm transformer layers over the descriptor tokens. */
  layers: number;
  heads: number;
  /** Tokens per descriptor (longer descriptors are cut). */
  maxTokens: number;
  /** Hashed character n-gram buckets of the tokenizer. */
  buckets: number;
  mlpRatio: number;
}

export interface VitConfig {
  /** Patch size: tokens sit at this stride (16 gives the stride-16 level directly). */
  patch: number;
  width: number;
  depth: number;
  heads: number;
}

export interface LossWeights {
  /** a: L_gen, the mixture-over-subclasses likelihood. */
  gen: number;
  /** b: L_triplet. */
  triplet: number;
  /** g: L_ms, the auxiliary per-level heads. */
  ms: number;
  /** Margin of the triplet loss (cosine distance). */
  tripletMargin: number;
  /** Pixels sampled per image for the triplet loss (a fixed, seeded set). */
  tripletSamples: number;
  /**
   * One weight per training class for the cross-entropy terms (L_seg, L_gen, L_ms), as PyTorch's `weight`:
   * rare classes can count more (see classBalanceWeights). Absent: every pixel counts 1.
   */
  classWeights?: number[];
}

export interface Ablation {
  /** Learned per-class vectors instead of descriptor embeddings. */
  noLanguage: boolean;
  /** One pyramid level (stride 4 only) and no L_ms. */
  noMultiscale: boolean;
  noTriplet: boolean;
  noGen: boolean;
  /** One descriptor per class: its name. */
  singleDescriptor: boolean;
}

export interface LangSegConfig {
  preset: PresetName;
  /** Input [height, width]; multiples of 32. */
  imageSize: [number, number];
  backbone: Backbone;
  /** CNN stage widths at strides 4, 8, 16, 32. */
  cnnWidths: [number, number, number, number];
  /** Residual blocks per CNN stage. */
  cnnBlocks: [number, number, number, number];
  vit: VitConfig;
  /** D: the width of the pyramid, the pixel embeddings and the descriptor embeddings. */
  embedDim: number;
  /** Groups of every group norm (must divide each width it normalises). */
  normGroups: number;
  /** Heads of the text-visual cross-attention. */
  crossHeads: number;
  text: TextEncoderConfig;
  /** tau: the scale of the cosine scores (a fixed temperature). */
  tau: number;
  losses: LossWeights;
  ablation: Ablation;
  /** Label of pixels that carry no class (ignored by every loss and metric). */
  ignoreLabel: number;
}

const NO_ABLATION: Ablation = { noLanguage: false, noMultiscale: false, noTriplet: false, noGen: false, singleDescriptor: false };
const LOSSES: LossWeights = { gen: 0.5, triplet: 0.2, ms: 0.4, tripletMargin: 0.3, tripletSamples: 64 };

export const PRESETS: Record<PresetName, LangSegConfig> = {
  tiny: {
    preset: 'tiny',
    imageSize: [128, 128],
    backbone: 'cnn',
    cnnWidths: [16, 32, 64, 128],
    cnnBlocks: [1, 1, 1, 1],
    vit: { patch: 16, width: 64, depth: 2, heads: 2 },
    embedDim: 64,
    normGroups: 8,
    crossHeads: 2,
    text: { layers: 2, heads: 2, maxTokens: 12, buckets: 4096, mlpRatio: 2 },
    tau: 10,
    losses: LOSSES,
    ablation: NO_ABLATION,
    ignoreLabel: 255,
  },
  small: {
    preset: 'small',
    imageSize: [256, 256],
    backbone: 'cnn',
    cnnWidths: [32, 64, 128, 256],
    cnnBlocks: [1, 2, 2, 1],
    vit: { patch: 16, width: 128, depth: 4, heads: 4 },
    embedDim: 128,
    normGroups: 16,
    crossHeads: 4,
    text: { layers: 2, heads: 4, maxTokens: 16, buckets: 8192, mlpRatio: 4 },
    tau: 10,
    losses: LOSSES,
    ablation: NO_ABLATION,
    ignoreLabel: 255,
  },
  base: {
    preset: 'base',
    imageSize: [512, 512],
    backbone: 'vit',
    cnnWidths: [64, 128, 256, 512],
    cnnBlocks: [2, 2, 2, 2],
    vit: { patch: 16, width: 256, depth: 6, heads: 8 },
    embedDim: 256,
    normGroups: 32,
    crossHeads: 8,
    text: { layers: 4, heads: 8, maxTokens: 16, buckets: 16384, mlpRatio: 4 },
    tau: 10,
    losses: LOSSES,
    ablation: NO_ABLATION,
    ignoreLabel: 255,
  },
};

export type ConfigOverrides = Partial<Omit<LangSegConfig, 'text' | 'vit' | 'losses' | 'ablation'>> & {
  text?: Partial<TextEncoderConfig>;
  vit?: Partial<VitConfig>;
  losses?: Partial<LossWeights>;
  ablation?: Partial<Ablation>;
};

/** A preset with overrides, checked: a ShapeError names the field, its value and what would do. */
export function resolveConfig(preset: PresetName, overrides: ConfigOverrides = {}): LangSegConfig {
  const base = PRESETS[preset];
  if (!base) throw new ShapeError(`config: unknown preset '${String(preset)}' (known: ${Object.keys(PRESETS).join(', ')})`);
  const cfg: LangSegConfig = {
    ...base,
    ...overrides,
    preset,
    text: { ...base.text, ...overrides.text },
    vit: { ...base.vit, ...overrides.vit },
    losses: { ...base.losses, ...overrides.losses },
    ablation: { ...base.ablation, ...overrides.ablation },
  };
  validateConfig(cfg);
  return cfg;
}

const positiveInt = (x: unknown): boolean => Number.isInteger(x) && (x as number) > 0;

/** Throw a ShapeError for the first field of `cfg` that cannot build a model. */
export function validateConfig(cfg: LangSegConfig): void {
  const fail = (field: string, value: unknown, want: string): never => {
    throw new ShapeError(`config: ${field} is ${JSON.stringify(value)}; ${want}`);
  };
  const [h, w] = cfg.imageSize;
  if (!positiveInt(h) || !positiveInt(w) || h % 32 !== 0 || w % 32 !== 0) fail('imageSize', cfg.imageSize, 'use [height, width], each a positive multiple of 32');
  if (cfg.backbone !== 'cnn' && cfg.backbone !== 'vit') fail('backbone', cfg.backbone, "use 'cnn' or 'vit'");
  if (!positiveInt(cfg.embedDim)) fail('embedDim', cfg.embedDim, 'use a positive integer');
  if (!positiveInt(cfg.normGroups)) fail('normGroups', cfg.normGroups, 'use a positive integer');
  for (const [i, width] of cfg.cnnWidths.entries()) {
    if (!positiveInt(width) || width % cfg.normGroups !== 0) fail(`cnnWidths[${i}]`, width, `use a positive multiple of normGroups (${cfg.normGroups})`);
  }
  for (const [i, n] of cfg.cnnBlocks.entries()) if (!positiveInt(n)) fail(`cnnBlocks[${i}]`, n, 'use a positive integer');
  if (cfg.embedDim % cfg.normGroups !== 0) fail('embedDim', cfg.embedDim, `use a multiple of normGroups (${cfg.normGroups})`);
  if (!positiveInt(cfg.crossHeads) || cfg.embedDim % cfg.crossHeads !== 0) fail('crossHeads', cfg.crossHeads, `use a divisor of embedDim (${cfg.embedDim})`);
  const t = cfg.text;
  if (!positiveInt(t.heads) || cfg.embedDim % t.heads !== 0) fail('text.heads', t.heads, `use a divisor of embedDim (${cfg.embedDim})`);
  if (!Number.isInteger(t.layers) || t.layers < 0) fail('text.layers', t.layers, 'use 0 or more');
  if (!positiveInt(t.maxTokens)) fail('text.maxTokens', t.maxTokens, 'use a positive integer');
  if (!positiveInt(t.buckets)) fail('text.buckets', t.buckets, 'use a positive integer');
  if (!(t.mlpRatio > 0)) fail('text.mlpRatio', t.mlpRatio, 'use a positive number');
  const v = cfg.vit;
  if (cfg.backbone === 'vit') {
    if (v.patch !== 16) fail('vit.patch', v.patch, 'use 16 (the tokens are the stride-16 level of the pyramid)');
    if (!positiveInt(v.width) || !positiveInt(v.heads) || v.width % v.heads !== 0) fail('vit.heads', v.heads, `use a divisor of vit.width (${v.width})`);
    if (v.width % cfg.normGroups !== 0) fail('vit.width', v.width, `use a multiple of normGroups (${cfg.normGroups})`);
    if (!Number.isInteger(v.depth) || v.depth < 1) fail('vit.depth', v.depth, 'use 1 or more');
  }
  if (!(cfg.tau > 0)) fail('tau', cfg.tau, 'use a positive number');
  const l = cfg.losses;
  for (const key of ['gen', 'triplet', 'ms', 'tripletMargin'] as const) if (!(l[key] >= 0)) fail(`losses.${key}`, l[key], 'use 0 or more');
  if (!positiveInt(l.tripletSamples)) fail('losses.tripletSamples', l.tripletSamples, 'use a positive integer');
  if (l.classWeights !== undefined) {
    const w = l.classWeights;
    const ok = Array.isArray(w) && w.length > 0 && w.every((v) => Number.isFinite(v) && v >= 0) && w.some((v) => v > 0);
    if (!ok) fail('losses.classWeights', w, 'use one finite weight >= 0 per class, not all 0 (or leave it out)');
  }
  if (!Number.isInteger(cfg.ignoreLabel) || cfg.ignoreLabel < 0) fail('ignoreLabel', cfg.ignoreLabel, 'use a non-negative integer (255 by default)');
}
