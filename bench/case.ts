/** What a benchmark case is, and the inputs it shares between our kernels and TF.js. */
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { Tensor } from '../src/kernels/tensor.js';
import { mulberry32 } from '../src/random.js';
import type { Captured, CapturingRuntime } from './capture.js';
import type { TfjsOnDevice } from './tfjs.js';

export interface BenchContext {
  readonly rt: CapturingRuntime;
  readonly tfjs: TfjsOnDevice;
}

/** A built case: our captured dispatches, the TF.js op, and what to free afterwards. */
export interface CaseInstance {
  readonly ours: Captured;
  /** The timed TF.js op. */
  readonly tfjs: () => TfTensor;
  /**
   * What to compare our output with, when the timed op's output is laid out differently (TF.js convolutions
   * are NHWC, ours NCHW): e.g. the timed op followed by a transpose. Defaults to `tfjs`.
   */
  readonly tfjsCheck?: () => TfTensor;
  /** The algorithm our side runs (matmul: what matmulPlan picked). */
  readonly algorithm?: string;
  /** Case-specific figures copied into the result row (e.g. attention's extra memory on each side). */
  readonly notes?: Record<string, number>;
  release(): void;
}

export interface KernelCase {
  readonly suite: string;
  readonly op: string;
  readonly shape: string;
  /** 'GFLOP/s' for compute-bound ops, 'GB/s' (minimal bytes read + written) for memory-bound ones. */
  readonly metric: 'GFLOP/s' | 'GB/s';
  /** FLOPs (GFLOP/s) or bytes (GB/s) of one run. */
  readonly work: number;
  build(ctx: BenchContext): Promise<CaseInstance>;
}

/** A tensor uploaded to both sides from the same host data. */
export interface InputPair {
  readonly ours: Tensor;
  readonly tf: TfTensor;
}

/** Deterministic uniform values in [-1, 1) (mulberry32), so runs and machines see the same inputs. */
export function randomValues(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

/** Upload the same random data, uniform in [-scale, scale), as one of our tensors and one TF.js tensor. */
export function inputPair(ctx: BenchContext, shape: number[], seed: number, name: string, scale = 1): InputPair {
  const data = randomValues(shape.reduce((a, b) => a * b, 1), seed).map((v) => v * scale);
  return { ours: ctx.rt.upload(data, shape, 'f32', name), tf: ctx.tfjs.tf.tensor(data, shape, 'float32') };
}

/** Free inputs on both sides plus our output and the captured dispatches' uniform buffers. */
export function releaseAll(inputs: readonly InputPair[], ours: Captured): void {
  for (const p of inputs) {
    p.ours.destroy();
    p.tf.dispose();
  }
  ours.output.destroy();
  for (const d of ours.dispatches) d.release();
  for (const t of ours.temporaries) t.destroy();
}
