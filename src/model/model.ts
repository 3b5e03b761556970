/**
 * LangSegModel: a LangSeg model on a device. It owns the parameters (one flat set that every executable of
 * the model shares), the tokenizer and the training descriptor set, and compiles what is asked of it:
 * a training step (forward + backward + clipping + AdamW as one executable), or inference for a batch size
 * and a class set (the training set by default; any other for open vocabulary). Checkpoints carry the
 * config, the tokenizer and the descriptor set, so a saved model loads with nothing else.
 */
import type { LangsegDevice } from '../device/device.js';
import { flattenDescriptors, validateDescriptorSet, type DescriptorSet } from '../descriptors/descriptor-set.js';
import { Tokenizer } from '../descriptors/tokenizer.js';
import { CheckpointError, ShapeError } from '../errors.js';
import { parametersToCheckpoint, loadParametersFromCheckpoint } from '../graph/checkpoint.js';
import { compile, parameterGradients, type Executable } from '../graph/executor.js';
import { Parameters } from '../graph/parameters.js';
import type { AdamWConfig } from '../kernels/optimizer.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { parseCheckpoint } from '../io/checkpoint.js';
import type { TensorToWrite } from '../io/safetensors-dtypes.js';
import { validateConfig, type LangSegConfig } from './config.js';
import { buildLangSeg, type LangSegGraph } from './langseg.js';
import { checkLabels } from './losses.js';

export interface TrainOptions {
  batch: number;
  /** AdamW settings (default lr 1e-3, weight decay 1e-4, gradient norm clipped to 1). */
  optimizer?: Partial<Omit<AdamWConfig, 'kind'>>;
  /** Learning rate per step (0-based), e.g. warmupCosine(...). */
  lrSchedule?: (step: number) => number;
}

export interface StepLosses {
  total: number;
  seg: number;
  gen?: number;
  triplet?: number;
  ms?: number;
}

export interface Prediction {
  /** [B, H, W] class ids (argmax of the logits). */
  classIds: Uint16Array;
  /** [B, C, H, W] softmax over classes. */
  probabilities: Float32Array;
  classes: string[];
}

interface StoredModel {
  model: LangSegConfig;
  tokenizer: unknown;
  descriptors: DescriptorSet;
}

/** Where a checkpoint keeps frozen descriptor embeddings (they are data, not parameters). */
const FROZEN_TENSOR = 'frozen.descriptor_embeddings';

export interface CreateOptions {
  seed?: number;
  /** The tokenizer (default: built from the set's class names and descriptors). */
  tokenizer?: Tokenizer;
  /** Precomputed descriptor embeddings [K, D] for the set, used frozen instead of the language encoder. */
  frozenEmbeddings?: Float32Array;
}

/** A training step executable of a model; see LangSegModel.trainer. */
export class Trainer {
  constructor(
    private readonly model: LangSegModel,
    private readonly built: LangSegGraph,
    private readonly exe: Executable,
    readonly batch: number,
  ) {}

  /** One step on `images` [B, 3, H, W] in [0, 1] and `labels` [B, H, W] (class ids, 255 ignored). */
  async step(images: Float32Array, labels: ArrayLike<number>, options: { lr?: number } = {}): Promise<StepLosses> {
    const cfg = this.model.config;
    checkLabels(labels, this.built.classes.length, cfg.ignoreLabel);
    const out = await this.exe.run({ images, labels }, options);
    const losses = this.built.losses!;
    const value = (t: typeof losses.total | undefined) => (t ? out[t.name]![0]! : undefined);
    const result: StepLosses = { total: value(losses.total)!, seg: value(losses.seg)! };
    for (const key of ['gen', 'triplet', 'ms'] as const) {
      const v = value(losses[key]);
      if (v !== undefined) result[key] = v;
    }
    return result;
  }

  /** Steps taken by the model's parameters (all trainers of a model share them). */
  get stepCount(): number {
    return this.model.parameters.step;
  }

  destroy(): void {
    this.exe.destroy();
  }
}

export class LangSegModel {
  private constructor(
    readonly rt: KernelRuntime,
    readonly config: LangSegConfig,
    readonly tokenizer: Tokenizer,
    readonly descriptors: DescriptorSet,
    readonly parameters: Parameters,
    /** Frozen descriptor embeddings of `descriptors`, when the model uses them instead of its text encoder. */
    readonly frozenEmbeddings: Float32Array | null,
  ) {}

  /** A freshly initialised model (seeded) for a config and a training descriptor set. */
  static create(device: LangsegDevice | KernelRuntime, config: LangSegConfig, descriptors: DescriptorSet, options: CreateOptions = {}): LangSegModel {
    validateConfig(config);
    validateDescriptorSet(descriptors);
    const rt = device instanceof KernelRuntime ? device : new KernelRuntime(device);
    const tokenizer =
      options.tokenizer ??
      Tokenizer.fromTexts([...descriptors.classes, ...flattenDescriptors(descriptors).texts], { buckets: config.text.buckets, maxTokens: config.text.maxTokens });
    const frozenEmbeddings = options.frozenEmbeddings ?? null;
    const built = buildLangSeg(config, { batch: 1, descriptors, tokenizer, training: false, frozenEmbeddings: frozenEmbeddings ?? undefined });
    const parameters = Parameters.create(rt, built.graph, { seed: options.seed ?? 0 });
    return new LangSegModel(rt, config, tokenizer, descriptors, parameters, frozenEmbeddings);
  }

  private build(batch: number, training: boolean, descriptors = this.descriptors, frozenEmbeddings = this.frozenEmbeddings): LangSegGraph {
    return buildLangSeg(this.config, { batch, descriptors, tokenizer: this.tokenizer, training, frozenEmbeddings: frozenEmbeddings ?? undefined });
  }

  /** Compile a training step for a batch size. */
  async trainer(options: TrainOptions): Promise<Trainer> {
    const built = this.build(options.batch, true);
    const losses = built.losses!;
    const optimizer: AdamWConfig = { kind: 'adamw', lr: 1e-3, weightDecay: 1e-4, maxGradNorm: 1, ...options.optimizer };
    const outputs = [losses.total, losses.seg, losses.gen, losses.triplet, losses.ms].filter((t) => t !== undefined);
    const exe = await compile(this.rt, built.graph, { loss: losses.total, optimizer, outputs, parameters: this.parameters, lrSchedule: options.lrSchedule });
    return new Trainer(this, built, exe, options.batch);
  }

  /**
   * Compile inference for a batch size and a class set (default: the training set). A model with frozen
   * embeddings needs the new set's embeddings too.
   */
  async predictor(batch: number, descriptors: DescriptorSet = this.descriptors, options: { frozenEmbeddings?: Float32Array } = {}): Promise<Predictor> {
    const otherSet = descriptors !== this.descriptors;
    if (this.config.ablation.noLanguage && otherSet) {
      throw new ShapeError('predictor: a model trained with noLanguage has one learned vector per training class; it cannot take another class set');
    }
    if (this.frozenEmbeddings && otherSet && !options.frozenEmbeddings) {
      throw new ShapeError('predictor: this model uses frozen descriptor embeddings; give the new class set\'s embeddings (frozenEmbeddings) too');
    }
    const built = this.build(batch, false, descriptors, options.frozenEmbeddings ?? (otherSet ? null : this.frozenEmbeddings));
    const g = built.graph;
    // Softmax over classes: move C last, softmax, move it back.
    const probabilities = g.transpose(g.softmax(g.transpose(built.logits, [0, 2, 3, 1])), [0, 3, 1, 2]);
    const exe = await compile(this.rt, g, { outputs: [built.logits, probabilities], parameters: this.parameters });
    return new Predictor(built, exe, probabilities.name);
  }

  /**
   * Losses, logits and every parameter's gradient for one batch, without a step (for parity checks
   * against the PyTorch mirror and for debugging). Compiles a graph each call.
   */
  async gradients(images: Float32Array, labels: ArrayLike<number>): Promise<{ losses: StepLosses; logits: Float32Array; grads: Record<string, Float32Array> }> {
    const batch = images.length / (3 * this.config.imageSize[0] * this.config.imageSize[1]);
    const built = this.build(batch, true);
    checkLabels(labels, built.classes.length, this.config.ignoreLabel);
    const terms = built.losses!;
    const grads = parameterGradients(built.graph, terms.total);
    const named = [terms.total, terms.seg, terms.gen, terms.triplet, terms.ms].filter((t) => t !== undefined);
    const exe = await compile(this.rt, built.graph, { outputs: [built.logits, ...named, ...grads.values()], parameters: this.parameters });
    try {
      const out = await exe.run({ images, labels });
      const losses: StepLosses = { total: out[terms.total.name]![0]!, seg: out[terms.seg.name]![0]! };
      for (const key of ['gen', 'triplet', 'ms'] as const) if (terms[key]) losses[key] = out[terms[key].name]![0]!;
      const byName: Record<string, Float32Array> = {};
      for (const [param, grad] of grads) byName[param.name] = out[grad.name]!;
      return { losses, logits: out[built.logits.name]!, grads: byName };
    } finally {
      exe.destroy();
    }
  }

  /**
   * Checkpoint bytes: weights, optimizer moments, step, and the config, tokenizer and descriptor set;
   * `metadata` adds strings of the caller's (a training run stores its data position there).
   */
  async save(options: { metadata?: Readonly<Record<string, string>> } = {}): Promise<Uint8Array> {
    const stored: StoredModel = { model: this.config, tokenizer: this.tokenizer.toJSON(), descriptors: this.descriptors };
    const extra: Record<string, TensorToWrite> = this.frozenEmbeddings
      ? { [FROZEN_TENSOR]: { dtype: 'F32' as const, shape: [this.frozenEmbeddings.length / this.config.embedDim, this.config.embedDim], data: this.frozenEmbeddings } }
      : {};
    return parametersToCheckpoint(this.parameters, { config: stored, extra, metadata: options.metadata });
  }

  /** A model from checkpoint bytes written by save(). */
  static async load(device: LangsegDevice | KernelRuntime, bytes: Uint8Array): Promise<LangSegModel> {
    const checkpoint = await parseCheckpoint(bytes);
    const stored = checkpoint.config as Partial<StoredModel> | null;
    if (!stored || typeof stored !== 'object' || !stored.model || !stored.tokenizer || !stored.descriptors) {
      throw new CheckpointError('checkpoint: its metadata has no LangSeg model (config, tokenizer and descriptors); was it written by LangSegModel.save()?');
    }
    const frozen = checkpoint.tensors[FROZEN_TENSOR];
    if (frozen && !(frozen.data instanceof Float32Array)) throw new CheckpointError(`checkpoint: '${FROZEN_TENSOR}' is ${frozen.dtype}, not a float tensor`);
    const model = LangSegModel.create(device, stored.model, stored.descriptors, {
      tokenizer: Tokenizer.fromJSON(stored.tokenizer),
      frozenEmbeddings: frozen ? (frozen.data as Float32Array) : undefined,
    });
    const { step } = await loadParametersFromCheckpoint(model.parameters, bytes);
    model.parameters.step = step;
    return model;
  }

  destroy(): void {
    this.parameters.destroy();
  }
}

/** An inference executable; see LangSegModel.predictor. */
export class Predictor {
  constructor(
    private readonly built: LangSegGraph,
    private readonly exe: Executable,
    private readonly probabilitiesName: string,
  ) {}

  get classes(): string[] {
    return this.built.classes;
  }

  /** Segment `images` [B, 3, H, W] in [0, 1]. */
  async predict(images: Float32Array): Promise<Prediction> {
    const out = await this.exe.run({ images });
    const logits = out[this.built.logits.name]!;
    const [b, c, h, w] = this.built.logits.shape as [number, number, number, number];
    const plane = h * w;
    const classIds = new Uint16Array(b * plane);
    for (let i = 0; i < b; i++) {
      for (let p = 0; p < plane; p++) {
        let best = 0;
        let bestValue = -Infinity;
        for (let k = 0; k < c; k++) {
          const v = logits[(i * c + k) * plane + p]!;
          if (v > bestValue) {
            bestValue = v;
            best = k;
          }
        }
        classIds[i * plane + p] = best;
      }
    }
    return { classIds, probabilities: out[this.probabilitiesName]!, classes: this.built.classes };
  }

  destroy(): void {
    this.exe.destroy();
  }
}
