/**
 * The training loop shared by `langseg train`, `langseg demo` and the web page: steps a model's trainer
 * over a batch stream, with a warm-up + cosine learning rate, periodic validation and checkpoints, and a
 * clean stop on request (the caller saves). Resuming is exact: the stream skips the batches already
 * trained on (src/data/loader.ts skipBatches) and the parameters carry the step and optimizer moments.
 */
import type { Dataset } from '../data/dataset.js';
import { batches } from '../data/loader.js';
import { warmupCosine } from '../kernels/optimizer.js';
import { NonFiniteError } from '../errors.js';
import { parametersAreFinite } from '../graph/numerics.js';
import type { LangSegModel, StepLosses, Trainer } from '../model/model.js';
import { evaluate, type EvalResult } from './evaluate.js';

export interface TrainLoopOptions {
  /** Train until the model has taken this many steps in all (a resumed model continues from its step). */
  steps: number;
  batch: number;
  /** Peak learning rate (AdamW); warm-up over the first 5% of steps, then cosine to 10% of it. */
  lr: number;
  weightDecay?: number;
  /** Data order and augmentation seed. */
  seed: number;
  /** Validate every this many steps (and at the end); 0: never. */
  validateEvery?: number;
  validation?: { dataset: Dataset; limit?: number };
  /** Call `checkpoint` every this many steps (and at the end, and when stopped). */
  checkpointEvery?: number;
  checkpoint?: (model: LangSegModel) => Promise<void>;
  onStep?: (info: StepInfo) => void;
  onValidate?: (step: number, result: EvalResult) => void;
  /** Checked after each step: stop there (a checkpoint is taken when `checkpoint` is given). */
  shouldStop?: () => boolean;
  /**
   * Check for NaN/Inf every this many steps, and before every checkpoint (one GPU reduction over the
   * weights, plus the loss): a hit throws NonFiniteError before the checkpoint is written, so the last
   * checkpoint is always a good one. 0 or absent: never.
   */
  checkFiniteEvery?: number;
  /** Append to this history (a run that continues after a recovery) instead of a new one. */
  history?: TrainHistory;
}

export interface StepInfo {
  step: number;
  steps: number;
  losses: StepLosses;
  lr: number;
  /** Images per second over the steps so far in this run. */
  imagesPerSecond: number;
  elapsedMs: number;
}

export interface TrainHistory {
  losses: { step: number; losses: StepLosses }[];
  validations: { step: number; miou: number; pixelAccuracy: number }[];
  /** True when shouldStop ended the run early. */
  stopped: boolean;
  lastValidation: EvalResult | null;
}

/** The training step the loop uses: the model's trainer with warm-up + cosine over `steps` (shared with the NaN diagnosis). */
export async function loopTrainer(model: LangSegModel, options: Pick<TrainLoopOptions, 'steps' | 'batch' | 'lr' | 'weightDecay'>): Promise<{ trainer: Trainer; schedule: (step: number) => number }> {
  const { steps, batch, lr } = options;
  const schedule = warmupCosine({ base: lr, warmupSteps: Math.max(1, Math.round(steps * 0.05)), totalSteps: steps, minLr: lr * 0.1 });
  const trainer = await model.trainer({ batch, optimizer: { lr, weightDecay: options.weightDecay ?? 1e-4 }, lrSchedule: schedule });
  return { trainer, schedule };
}

/** True when the step's loss and every weight are finite. */
export async function stepIsFinite(model: LangSegModel, losses: StepLosses): Promise<boolean> {
  return Number.isFinite(losses.total) && (await parametersAreFinite(model.parameters));
}

export async function trainLoop(model: LangSegModel, train: Dataset, options: TrainLoopOptions): Promise<TrainHistory> {
  const { steps, batch, seed } = options;
  const { trainer, schedule } = await loopTrainer(model, options);
  const history: TrainHistory = options.history ?? { losses: [], validations: [], stopped: false, lastValidation: null };
  const start = performance.now();
  const first = model.parameters.step;
  const validate = async (step: number) => {
    if (!options.validation) return;
    const result = await evaluate(model, options.validation.dataset, { limit: options.validation.limit, batch });
    history.validations.push({ step, miou: result.miou, pixelAccuracy: result.pixelAccuracy });
    history.lastValidation = result;
    options.onValidate?.(step, result);
  };
  const stream = batches(train, { batch, size: model.config.imageSize, train: true, seed, epochs: Infinity, skipBatches: first });
  try {
    for (let step = first; step < steps; step++) {
      const next = await stream.next();
      if (next.done) break;
      const losses = await trainer.step(next.value.images, next.value.labels);
      const done = step + 1;
      history.losses.push({ step: done, losses });
      const elapsedMs = performance.now() - start;
      options.onStep?.({ step: done, steps, losses, lr: schedule(step), imagesPerSecond: ((done - first) * batch * 1000) / elapsedMs, elapsedMs });
      const stop = options.shouldStop?.() ?? false;
      const last = done === steps || stop;
      const checkpointDue = !!options.checkpoint && ((!!options.checkpointEvery && done % options.checkpointEvery === 0) || last);
      const check = options.checkFiniteEvery;
      if (check && (done % check === 0 || checkpointDue) && !(await stepIsFinite(model, losses))) {
        throw new NonFiniteError(`step ${done}: the loss (${losses.total}) or the weights are no longer finite`, done);
      }
      if (options.validateEvery && (done % options.validateEvery === 0 || last)) await validate(done);
      if (checkpointDue) await options.checkpoint!(model);
      if (stop) {
        history.stopped = true;
        break;
      }
    }
  } finally {
    // Also when a step failed (a lost device, NaN): stop the prefetching decoder and free the executable.
    await stream.return(undefined);
    trainer.destroy();
  }
  return history;
}
