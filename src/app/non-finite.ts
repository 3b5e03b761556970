/**
 * After training went non-finite: which step did it, and which tensor first? The run checks every N
 * steps, so the culprit is somewhere after the last good checkpoint. Replay from that checkpoint with the
 * same batches (the data order is a function of seed and step), checking every step; at the first bad one,
 * go back to the weights before it and run it once more in debug mode, reading every tensor back.
 */
import type { Dataset } from '../data/dataset.js';
import { batches } from '../data/loader.js';
import { NonFiniteError } from '../errors.js';
import { loadParametersFromCheckpoint, parametersToCheckpoint } from '../graph/checkpoint.js';
import { formatShape } from '../kernels/shape.js';
import { firstNonFiniteInStep } from '../model/debug-step.js';
import type { LangSegModel } from '../model/model.js';
import { loopTrainer, stepIsFinite, type TrainLoopOptions } from './train-loop.js';

/**
 * Replays the steps after `lastGood` (checkpoint bytes) up to `badStep` and returns a NonFiniteError naming
 * the first non-finite step and tensor (`tensor` unset when the replay stayed finite or every tensor of the
 * step was, meaning the optimizer update overflowed). Leaves the model's weights at the last good checkpoint.
 */
export async function diagnoseNonFinite(
  model: LangSegModel,
  train: Dataset,
  options: Pick<TrainLoopOptions, 'steps' | 'batch' | 'lr' | 'weightDecay' | 'seed'>,
  lastGood: Uint8Array,
  badStep: number,
): Promise<NonFiniteError> {
  const { step: from } = await loadParametersFromCheckpoint(model.parameters, lastGood);
  const { trainer } = await loopTrainer(model, options);
  const stream = batches(train, { batch: options.batch, size: model.config.imageSize, train: true, seed: options.seed, epochs: Infinity, skipBatches: from });
  try {
    for (let step = from; step < badStep; step++) {
      const next = await stream.next();
      if (next.done) break;
      const before = await parametersToCheckpoint(model.parameters);
      const losses = await trainer.step(next.value.images, next.value.labels);
      if (await stepIsFinite(model, losses)) continue;
      await loadParametersFromCheckpoint(model.parameters, before);
      const culprit = await firstNonFiniteInStep(model, next.value.images, next.value.labels);
      const what = culprit
        ? `its first non-finite tensor is ${culprit.kind === 'input' || culprit.kind === 'parameter' ? `the ${culprit.kind}` : `the ${culprit.kind} pass's`} ` +
          `'${culprit.name}' (${culprit.op}, ${formatShape(culprit.shape)}${culprit.reads.length > 0 ? `, reading ${culprit.reads.join(', ')}` : ''}, ` +
          `${culprit.count} of ${culprit.size} values NaN or Inf)`
        : 'every tensor of its forward and backward pass is finite, so the AdamW update overflowed';
      return new NonFiniteError(`step ${step + 1} made the weights non-finite (found by re-running it from step ${from}): ${what}`, step + 1, culprit?.name);
    }
    return new NonFiniteError(`the weights were non-finite by step ${badStep}, but re-running steps ${from + 1} to ${badStep} from the checkpoint stayed finite (not reproducible: a device fault?)`, badStep);
  } finally {
    await stream.return(undefined);
    trainer.destroy();
    await loadParametersFromCheckpoint(model.parameters, lastGood);
  }
}
