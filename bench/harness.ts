/**
 * The timing harness. A run is timed from encode to `queue.onSubmittedWorkDone()`, because GPU work
 * completes asynchronously (which is why benchmark.js, built for synchronous or deferred CPU code, is
 * not used). Each case is warmed up first (pipeline compilation, TF.js uploads and buffer pools), then
 * timed `repeats` times per side; the median is reported.
 */
import type { PreparedDispatch } from '../src/kernels/runtime.js';
import type { PassTimer } from './gpu-timer.js';
import type { TfjsOnDevice } from './tfjs.js';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';

/** One run; `i` is the index of a timed run, or -1 for a warm-up run. */
export type Run = (i: number) => Promise<void>;

export interface TimingOptions {
  warmup: number;
  /** The fewest timed runs per side. */
  repeats: number;
  /**
   * Keep timing until each side has run for about this long (ms), up to MAX_REPEATS runs: small cases
   * take a few ms, and ten samples of them on a shared CPU give a median that moves by 50%.
   */
  minTotalMs?: number;
}

/** The most timed runs per side (also the capacity of the timestamp query set). */
export const MAX_REPEATS = 200;

export interface Timing {
  medianMs: number;
  minMs: number;
  samplesMs: number[];
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Warm up every side, then time `repeats` rounds in which each side runs once, in turn. Interleaving
 * means a burst of background load (lavapipe shares the CPU) hits both sides alike, not one of them.
 */
export async function timeInterleaved(runs: readonly Run[], { warmup, repeats, minTotalMs = 0 }: TimingOptions): Promise<Timing[]> {
  let slowest = 0;
  for (const run of runs) {
    for (let w = 0; w < warmup; w++) {
      const t0 = performance.now();
      await run(-1);
      if (w === warmup - 1) slowest = Math.max(slowest, performance.now() - t0);
    }
  }
  const count = Math.min(MAX_REPEATS, Math.max(repeats, Math.ceil(minTotalMs / Math.max(slowest, 1e-3))));
  const samples: number[][] = runs.map(() => []);
  for (let i = 0; i < count; i++) {
    for (const [side, run] of runs.entries()) {
      const t0 = performance.now();
      await run(i);
      samples[side]!.push(performance.now() - t0);
    }
  }
  return samples.map((samplesMs) => ({ medianMs: median(samplesMs), minMs: Math.min(...samplesMs), samplesMs }));
}

/** A run of our kernel: replay the prepared dispatches in one compute pass, submit, wait. */
export function oursRun(device: GPUDevice, dispatches: readonly PreparedDispatch[], timer?: PassTimer): Run {
  return async (i) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass(timer && i >= 0 ? { timestampWrites: timer.writes(i) } : {});
    for (const d of dispatches) d.encode(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
}

/**
 * A run of a TF.js op on pre-created tensors: call it (TF.js records the dispatch), force submission,
 * wait for the shared queue, dispose the output (its buffer returns to TF.js's pool, as in real use).
 */
export function tfjsRun(tfjs: TfjsOnDevice, op: () => TfTensor): Run {
  return async () => {
    const out = tfjs.tf.tidy(op);
    tfjs.submit();
    await tfjs.backend.device.queue.onSubmittedWorkDone();
    out.dispose();
  };
}

/** TF.js's own GPU time per run (tf.time: sum of timestamped passes); [] without timestamp-query. */
export async function tfjsGpuMs(tfjs: TfjsOnDevice, op: () => TfTensor, runs: number): Promise<number[]> {
  if (!tfjs.backend.device.features.has('timestamp-query')) return [];
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    let result: TfTensor | undefined;
    const info = await tfjs.tf.time(() => {
      result = tfjs.tf.tidy(op);
    });
    result?.dispose();
    // kernelMs is `{ error }` when the backend could not time; leave such runs out.
    if (typeof info.kernelMs === 'number') out.push(info.kernelMs);
  }
  return out;
}

/** max |ours - ref| / max |ref|: a norm-wise relative error that stays meaningful where ref is near 0. */
export function maxRelError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (ours.length !== ref.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i]! - ref[i]!);
    // NaN must fail the check, and `NaN > x` is false: test for it explicitly.
    if (Number.isNaN(d)) return NaN;
    maxDiff = Math.max(maxDiff, d);
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  return maxDiff / Math.max(maxRef, Number.MIN_VALUE);
}
