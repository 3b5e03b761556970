/** What a training-step benchmark case is: one compiled executable of ours and the same step in TF.js. */
import type { Scalar } from '@tensorflow/tfjs-core';
import type { Executable } from '../../src/graph/executor.js';
import type { BenchContext } from '../case.js';

/** A built case. Both sides start from identical parameters and see identical data. */
export interface TrainInstance {
  /** Compiled for training: run() is forward + backward + optimizer in one submit. */
  readonly ours: Executable;
  readonly feeds: Record<string, Float32Array>;
  /** The loss's name among run()'s outputs. */
  readonly lossName: string;
  /**
   * One TF.js training step, recorded but not awaited: uploads the same feeds, applies the optimizer and
   * returns the loss (computed before the update, as ours is), which the caller reads and disposes.
   */
  tfjsStep(): Scalar;
  /** Free both sides' parameters, optimizer state and buffers. */
  release(): void;
}

export interface TrainCase {
  readonly suite: string;
  readonly op: string;
  readonly shape: string;
  /** FLOPs of one training step (forward + backward matmuls). */
  readonly flops: number;
  /** How the two sides are made comparable (optimizer settings, layouts), for the JSON output. */
  readonly note: string;
  build(ctx: BenchContext): Promise<TrainInstance>;
}
