/**
 * Batches for training and evaluation with a bounded prefetch queue. Samples are decoded and augmented
 * ahead of the consumer (overlapping its GPU work whenever it awaits), but never more than `prefetch`
 * batches beyond the one it holds, so memory stays bounded however slow the consumer is.
 *
 * Train: every epoch visits the samples in an order shuffled by (seed, epoch); each sample's augmentation
 * is seeded by (seed, epoch, index), so runs are reproducible whatever the prefetch depth. Batches are
 * always full: they run on across epoch boundaries, and only a remainder smaller than a batch at the very
 * end is dropped. Eval: samples in order, one centre crop each, the last batch may be smaller.
 */
import { DataError } from '../errors.js';
import { applyCrop, evalCrop, trainCrop, type Size2 } from './augment.js';
import type { Dataset } from './dataset.js';
import { mixSeed, mulberry32, shuffled } from '../random.js';

export interface BatchOptions {
  /** Samples per batch. */
  batch: number;
  /** Output [height, width]. */
  size: Size2;
  /** Random scale, crop and flip, shuffled (true); deterministic centre crops in order (false). */
  train: boolean;
  /** Seeds the epoch order and augmentation. Default 0. */
  seed?: number;
  /** Batches prepared ahead of the consumer. Default 2; 0 prepares each batch on demand. */
  prefetch?: number;
  /** Use only these dataset indices (a split or a subset). Default all. */
  indices?: readonly number[];
  /** Epochs to run; Infinity for an endless stream (training by steps). Default 1. */
  epochs?: number;
  /** Epoch number to start at (resuming). Default 0. */
  firstEpoch?: number;
  /**
   * Leave out the first this many batches of the stream without decoding them: resuming training at step
   * k gives exactly the batches an uninterrupted run would have had from step k on. Default 0.
   */
  skipBatches?: number;
}

export interface Batch {
  /** [B, 3, h, w], RGB in [0, 1]. */
  images: Float32Array;
  /** [B, h, w] class ids as floats (the cross-entropy input); 255 = ignore. */
  labels: Float32Array;
  /** Sample ids, B of them (B = ids.length; the last eval batch may be smaller than `batch`). */
  ids: string[];
  /** The epoch of the batch's first sample. */
  epoch: number;
}

interface SampleRef {
  index: number;
  epoch: number;
}

/** An async iterator of batches from `dataset`; see the module comment for ordering and seeding. */
export function batches(dataset: Dataset, options: BatchOptions): AsyncGenerator<Batch, void, undefined> {
  // Validated here, not at the first next(), so bad options fail where they are written.
  return prefetched(dataset, checkOptions(dataset, options));
}

async function* prefetched(dataset: Dataset, opts: CheckedOptions): AsyncGenerator<Batch, void, undefined> {
  const plan = batchPlan(opts);
  for (let i = 0; i < opts.skipBatches; i++) if (plan.next().done) return;
  // The window of batches prepared ahead, oldest first. Each starts when the previous one is done, so the
  // batch the consumer needs next always has the decoder to itself.
  const window: Promise<Batch>[] = [];
  let last: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const startNext = (): boolean => {
    const next = plan.next();
    if (next.done) return false;
    const refs = next.value;
    const ready = last.then(() => {
      // The consumer left early: skip the work (the rejection is swallowed below).
      if (stopped) throw new DataError('batches: stopped');
      return buildBatch(dataset, refs, opts);
    });
    ready.catch(() => undefined); // surfaced when the consumer reaches it; never an unhandled rejection
    last = ready.catch(() => undefined);
    window.push(ready);
    return true;
  };
  try {
    for (;;) {
      if (window.length === 0 && !startNext()) return;
      const batch = await window.shift()!;
      // Top up before handing over, so the next `prefetch` batches decode while the consumer works on this one.
      while (window.length < opts.prefetch && startNext());
      yield batch;
    }
  } finally {
    stopped = true;
  }
}

interface CheckedOptions {
  batch: number;
  size: Size2;
  train: boolean;
  seed: number;
  prefetch: number;
  indices: readonly number[];
  epochs: number;
  firstEpoch: number;
  skipBatches: number;
}

function checkOptions(dataset: Dataset, o: BatchOptions): CheckedOptions {
  const isCount = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!isCount(o.batch, 1)) throw new DataError(`batches: batch must be a positive integer, got ${o.batch}`);
  if (!Array.isArray(o.size) || o.size.length !== 2 || !o.size.every((v) => isCount(v, 1))) {
    throw new DataError(`batches: size must be [height, width] with positive integers, got ${JSON.stringify(o.size)}`);
  }
  const prefetch = o.prefetch ?? 2;
  if (!isCount(prefetch, 0)) throw new DataError(`batches: prefetch must be an integer >= 0, got ${prefetch}`);
  const epochs = o.epochs ?? 1;
  if (!(epochs === Infinity || isCount(epochs, 1))) {
    throw new DataError(`batches: epochs must be a positive integer or Infinity, got ${epochs}`);
  }
  const firstEpoch = o.firstEpoch ?? 0;
  if (!isCount(firstEpoch, 0)) throw new DataError(`batches: firstEpoch must be an integer >= 0, got ${firstEpoch}`);
  const skipBatches = o.skipBatches ?? 0;
  if (!isCount(skipBatches, 0)) throw new DataError(`batches: skipBatches must be an integer >= 0, got ${skipBatches}`);
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new DataError(`batches: seed must be a finite number, got ${seed}`);
  const indices = o.indices ?? Array.from({ length: dataset.size }, (_, i) => i);
  const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= dataset.size);
  if (bad !== undefined) {
    throw new DataError(`batches: index ${bad} is out of range for ${dataset.name} (${dataset.size} samples)`);
  }
  if (indices.length === 0) throw new DataError(`batches: ${dataset.name} has no samples to batch`);
  return { batch: o.batch, size: [o.size[0], o.size[1]], train: o.train, seed, prefetch, indices, epochs, firstEpoch, skipBatches };
}

/** The sample references of each batch, lazily (an endless stream must not be materialised). */
function* batchPlan(o: CheckedOptions): Generator<SampleRef[]> {
  let pending: SampleRef[] = [];
  for (let epoch = o.firstEpoch; epoch < o.firstEpoch + o.epochs; epoch++) {
    const order = o.train ? shuffled(o.indices, mulberry32(mixSeed(o.seed, epoch))) : o.indices;
    for (const index of order) {
      pending.push({ index, epoch });
      if (pending.length === o.batch) {
        yield pending;
        pending = [];
      }
    }
    // Eval batches never straddle epochs; train batches do (every batch full).
    if (!o.train && pending.length > 0) {
      yield pending;
      pending = [];
    }
  }
}

async function buildBatch(dataset: Dataset, refs: SampleRef[], o: CheckedOptions): Promise<Batch> {
  const [h, w] = o.size;
  const plane = h * w;
  const images = new Float32Array(refs.length * 3 * plane);
  const labels = new Float32Array(refs.length * plane);
  const samples = await Promise.all(refs.map((ref) => dataset.get(ref.index)));
  samples.forEach((sample, b) => {
    const ref = refs[b]!;
    const plan = o.train
      ? trainCrop(sample.width, sample.height, o.size, mulberry32(mixSeed(o.seed, ref.epoch, ref.index, 1)))
      : evalCrop(sample.width, sample.height, o.size);
    applyCrop(sample, o.size, plan, {
      image: images.subarray(b * 3 * plane, (b + 1) * 3 * plane),
      labels: labels.subarray(b * plane, (b + 1) * plane),
    });
  });
  return { images, labels, ids: samples.map((s) => s.id), epoch: refs[0]!.epoch };
}
