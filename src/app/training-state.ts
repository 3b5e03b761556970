/**
 * Where a training run stands, stored in every checkpoint it writes (metadata `training_state`, under the
 * checksums), so a resumed run continues exactly: the data order and every augmentation are seeded by
 * (seed, epoch, sample), so the seed, the batch size and the batches already consumed fix the rest of the
 * stream, and the learning-rate schedule is a function of the step and the planned steps.
 */
import { CheckpointError } from '../errors.js';
import { parseCheckpoint } from '../io/checkpoint.js';

export const TRAINING_STATE_KEY = 'training_state';

export interface TrainingState {
  /** Seed of the data order and augmentation (the loader's only randomness). */
  seed: number;
  batch: number;
  /** Batches consumed from the stream: equal to the optimizer step. */
  batchesDone: number;
  /** Planned steps of the schedule, and its peak learning rate. */
  steps: number;
  lr: number;
}

/** The checkpoint metadata entry for `state`. */
export function trainingStateMetadata(state: TrainingState): Record<string, string> {
  return { [TRAINING_STATE_KEY]: JSON.stringify(state) };
}

/** The training state stored in checkpoint `bytes`, or null for a checkpoint without one (saved outside a run). */
export async function readTrainingState(bytes: Uint8Array): Promise<TrainingState | null> {
  const checkpoint = await parseCheckpoint(bytes);
  const text = checkpoint.metadata[TRAINING_STATE_KEY];
  if (text === undefined) return null;
  let state: Partial<TrainingState>;
  try {
    state = JSON.parse(text) as Partial<TrainingState>;
  } catch {
    throw new CheckpointError(`checkpoint: its ${TRAINING_STATE_KEY} is not JSON; the file was not written by langseg train`);
  }
  const ints = [state.seed, state.batch, state.batchesDone, state.steps];
  if (!ints.every((v) => Number.isSafeInteger(v) && v! >= 0) || typeof state.lr !== 'number') {
    throw new CheckpointError(`checkpoint: its ${TRAINING_STATE_KEY} ${text.slice(0, 200)} lacks seed, batch, batchesDone, steps or lr`);
  }
  if (state.batchesDone !== checkpoint.step) {
    throw new CheckpointError(`checkpoint: its ${TRAINING_STATE_KEY} says ${state.batchesDone} batches but the checkpoint is at step ${checkpoint.step}`);
  }
  return state as TrainingState;
}
