/**
 * Class balancing for the cross-entropy losses: how often each class's pixels occur in a dataset, and
 * weights that make rare classes count more (inverse-frequency balancing, softened by a power). Small
 * objects (chairs, doors, tables) cover 1-2% of the synthetic scenes' pixels against 10-17% for walls and
 * floors; unweighted, a short run learns the large classes and leaves the small ones at IoU 0.
 */
import { DataError } from '../errors.js';
import type { Dataset } from './dataset.js';

/** Pixel share of each class over the first `samples` samples of `dataset` (ignored pixels left out). */
export async function classPixelFrequencies(dataset: Dataset, samples = 256): Promise<number[]> {
  const count = Math.min(samples, dataset.size);
  if (count < 1) throw new DataError(`classPixelFrequencies: ${dataset.name} has no samples to count`);
  const pixels = new Float64Array(dataset.classes.length);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const { labels } = await dataset.get(i);
    for (const label of labels) {
      if (label < pixels.length) {
        pixels[label]!++;
        total++;
      }
    }
  }
  if (total === 0) throw new DataError(`classPixelFrequencies: the first ${count} samples of ${dataset.name} have no labelled pixel`);
  return Array.from(pixels, (p) => p / total);
}

/** The largest weight relative to the smallest: a class seen in a handful of pixels must not dominate. */
export const MAX_WEIGHT_RATIO = 10;

/**
 * w[c] proportional to f[c]^-power (power 0: all 1; 1: inverse frequency; 0.5, the usual compromise),
 * clamped to MAX_WEIGHT_RATIO times the smallest, normalised to mean 1. A class with no pixels gets the
 * largest weight, as the rarest would.
 */
export function classBalanceWeights(frequencies: readonly number[], power: number): number[] {
  if (!(power >= 0 && power <= 2)) throw new DataError(`classBalanceWeights: power must be in [0, 2], got ${power}`);
  if (frequencies.length === 0 || frequencies.some((f) => !(f >= 0 && f <= 1))) {
    throw new DataError('classBalanceWeights: frequencies must be one share in [0, 1] per class');
  }
  const seen = frequencies.filter((f) => f > 0);
  if (seen.length === 0) throw new DataError('classBalanceWeights: no class has any pixels');
  const rarest = Math.min(...seen);
  const raw = frequencies.map((f) => (f > 0 ? f : rarest) ** -power);
  const floor = Math.min(...raw);
  const clamped = raw.map((w) => Math.min(w, floor * MAX_WEIGHT_RATIO));
  const mean = clamped.reduce((a, b) => a + b, 0) / clamped.length;
  return clamped.map((w) => w / mean);
}
