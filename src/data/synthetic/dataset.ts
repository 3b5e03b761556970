/**
 * Synthetic scenes as a Dataset: labels are indices into SYNTHETIC_CLASSES (16 classes), so a model
 * trains on the synthetic subset; `toAde20kIds` maps its labels back to ADE20K. Sample i of a split is
 * scene `syntheticSceneSeed(split, seed, i)`: train takes even scene seeds and val odd ones, so the
 * two never share a scene whatever their counts, and growing `count` keeps the earlier samples.
 */
import { DataError } from '../../errors.js';
import type { Dataset, Sample } from '../dataset.js';
import { SYNTHETIC_CLASSES } from './classes.js';
import { MAX_SCENE_SIDE, MIN_SCENE_SIDE, renderSyntheticScene } from './scene.js';

export type SyntheticSplit = 'train' | 'val';

export interface SyntheticDatasetOptions {
  split: SyntheticSplit;
  /** Number of samples. */
  count: number;
  /** [height, width], or one number for a square. */
  size: number | readonly [number, number];
  /** Picks a different family of scenes; 0 by default. */
  seed?: number;
}

/** Samples per (split, seed) before the scene seeds of one dataset seed would run into the next. */
export const MAX_SYNTHETIC_COUNT = 2 ** 21;
/** Dataset seeds stay below this, so scene seeds stay exact integers. */
const MAX_DATASET_SEED = 2 ** 30;

/** The scene seed of sample `index` of a split: train even, val odd, one block of MAX_SYNTHETIC_COUNT per dataset seed. */
export function syntheticSceneSeed(split: SyntheticSplit, seed: number, index: number): number {
  return (seed * MAX_SYNTHETIC_COUNT + index) * 2 + (split === 'val' ? 1 : 0);
}

export function syntheticDataset(options: SyntheticDatasetOptions): Dataset {
  const { split, count, seed = 0 } = options;
  if (split !== 'train' && split !== 'val') throw new DataError(`syntheticDataset: split must be 'train' or 'val', got ${JSON.stringify(split)}`);
  if (!Number.isInteger(count) || count < 0 || count > MAX_SYNTHETIC_COUNT) {
    throw new DataError(`syntheticDataset: count must be an integer in 0..${MAX_SYNTHETIC_COUNT}, got ${count}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed >= MAX_DATASET_SEED) {
    throw new DataError(`syntheticDataset: seed must be an integer in 0..${MAX_DATASET_SEED - 1}, got ${seed}`);
  }
  const size: [number, number] = typeof options.size === 'number' ? [options.size, options.size] : [options.size[0], options.size[1]];
  // Fail here rather than on the first get(), where the caller is far from the options.
  if (!size.every((s) => Number.isInteger(s) && s >= MIN_SCENE_SIDE && s <= MAX_SCENE_SIDE)) {
    throw new DataError(
      `syntheticDataset: size must be a side or [height, width], integers in ${MIN_SCENE_SIDE}..${MAX_SCENE_SIDE}, got ${JSON.stringify(options.size)}`,
    );
  }
  const [height, width] = size;
  return {
    name: 'synthetic',
    classes: SYNTHETIC_CLASSES,
    size: count,
    async get(index: number): Promise<Sample> {
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new DataError(`synthetic ${split} dataset: index ${index} is out of range 0..${count - 1}`);
      }
      const sceneSeed = syntheticSceneSeed(split, seed, index);
      const { image, labels } = renderSyntheticScene(sceneSeed, size);
      return { id: `synthetic-${split}-${seed}-${index}`, width, height, image, labels };
    },
  };
}
