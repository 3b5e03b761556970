/**
 * Parameters (and optimizer state) <-> checkpoint bytes. Weights are stored under their state-dict names,
 * AdamW moments under `optimizer.<name>.exp_avg` / `.exp_avg_sq`, the step count in the metadata, so a
 * run resumes exactly where it stopped. Writing the bytes to disk atomically is io/checkpoint-file.ts.
 */
import { CheckpointError } from '../errors.js';
import { CHECKPOINT_FORMAT, parseCheckpoint, RESERVED_KEYS, serializeCheckpoint } from '../io/checkpoint.js';
import type { TensorToWrite } from '../io/safetensors-dtypes.js';
import type { Parameters } from './parameters.js';

export interface CheckpointOptions {
  /** The model configuration, stored as JSON in the metadata. */
  config?: unknown;
  /** Also store the optimizer moments (default true). */
  optimizer?: boolean;
  /** More tensors to store beside the parameters (data a model needs that is not trained). */
  extra?: Readonly<Record<string, TensorToWrite>>;
  /** More string metadata (e.g. the training loop's data position), kept under the checksums. */
  metadata?: Readonly<Record<string, string>>;
}

const MOMENTS = [
  ['moment1', 'exp_avg'],
  ['moment2', 'exp_avg_sq'],
] as const;
/** Optimizer state is stored under this prefix, so it can be told apart from the weights. */
const OPTIMIZER_PREFIX = 'optimizer.';

/** Serialise the parameters (and optimizer state) of `params` as a checkpoint. */
export async function parametersToCheckpoint(params: Parameters, options: CheckpointOptions = {}): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  const values = await params.read('values');
  for (const e of params.entries) tensors[e.name] = { dtype: 'F32', shape: e.shape, data: values[e.name]! };
  if (options.optimizer ?? true) {
    for (const [buffer, suffix] of MOMENTS) {
      const moments = await params.read(buffer);
      for (const e of params.entries) tensors[`${OPTIMIZER_PREFIX}${e.name}.${suffix}`] = { dtype: 'F32', shape: e.shape, data: moments[e.name]! };
    }
  }
  for (const [name, t] of Object.entries(options.extra ?? {})) {
    if (name in tensors) throw new CheckpointError(`checkpoint: extra tensor '${name}' has the name of a parameter`);
    tensors[name] = t;
  }
  return serializeCheckpoint({ tensors, step: params.step, config: options.config ?? null, extraMetadata: options.metadata });
}

/**
 * Load a checkpoint into `params`: every parameter must be present with its shape (a CheckpointError names
 * the first that is not). Optimizer moments are restored when the file has them. Returns step and config.
 */
export async function loadParametersFromCheckpoint(params: Parameters, bytes: Uint8Array): Promise<{ step: number; config: unknown }> {
  const shapes: Record<string, readonly number[]> = {};
  for (const e of params.entries) shapes[e.name] = e.shape;
  const checkpoint = await parseCheckpoint(bytes);
  const take = (name: string, required: boolean): Float32Array | null => {
    const t = checkpoint.tensors[name];
    if (!t) {
      if (required) throw new CheckpointError(`checkpoint has no tensor '${name}'; it was written for a different model`);
      return null;
    }
    const want = shapes[name.replace(/^optimizer\.(.*)\.exp_avg(_sq)?$/, '$1')]!;
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i]) || !(t.data instanceof Float32Array)) {
      throw new CheckpointError(`checkpoint tensor '${name}' is ${t.dtype} [${t.shape.join(', ')}], the model needs F32 [${want.join(', ')}]`);
    }
    return t.data;
  };
  const values: Record<string, Float32Array> = {};
  for (const e of params.entries) values[e.name] = take(e.name, true)!;
  const moments = MOMENTS.map(([buffer, suffix]) => {
    const found: Record<string, Float32Array> = {};
    for (const e of params.entries) {
      const m = take(`${OPTIMIZER_PREFIX}${e.name}.${suffix}`, false);
      if (!m) return null;
      found[e.name] = m;
    }
    return [buffer, found] as const;
  });
  // Only after every tensor checked out: a bad file must not half-overwrite the weights.
  params.write(values, 'values');
  for (const m of moments) if (m) params.write(m[1], m[0]);
  params.step = checkpoint.step;
  return { step: checkpoint.step, config: checkpoint.config };
}

/** What weightsOnlyCheckpoint keeps. */
export interface WeightsOnlyOptions {
  /** Store float tensors as F16 (half the bytes; weights round to about 3 significant digits). Default F32. */
  dtype?: 'F32' | 'F16';
}

/**
 * A checkpoint for deployment: the weights (and any extra tensors, such as frozen embeddings) with the step
 * and config, without the optimizer moments, which are two thirds of a training checkpoint and only needed
 * to resume training. Loads with loadParametersFromCheckpoint like any checkpoint; fine-tuning from it
 * starts with fresh moments.
 */
export async function weightsOnlyCheckpoint(bytes: Uint8Array, options: WeightsOnlyOptions = {}): Promise<Uint8Array> {
  const checkpoint = await parseCheckpoint(bytes);
  if (!checkpoint.verified) {
    throw new CheckpointError(`weightsOnlyCheckpoint: this is a plain safetensors file, not a langseg checkpoint ("format": "${CHECKPOINT_FORMAT}"); save the model as a checkpoint first`);
  }
  const dtype = options.dtype ?? 'F32';
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, t] of Object.entries(checkpoint.tensors)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) continue;
    if (t.dtype === 'F32' || t.dtype === 'F16' || t.dtype === 'BF16') tensors[name] = { dtype, shape: t.shape, data: t.data };
    else if (t.dtype === 'I32' || t.dtype === 'U32') tensors[name] = t;
    else throw new CheckpointError(`weightsOnlyCheckpoint: tensor '${name}' is ${t.dtype}, which langseg does not write; convert it to F32 or I32 first`);
  }
  const extraMetadata = Object.fromEntries(Object.entries(checkpoint.metadata).filter(([key]) => !RESERVED_KEYS.includes(key)));
  return serializeCheckpoint({ tensors, step: checkpoint.step, config: checkpoint.config, extraMetadata });
}
