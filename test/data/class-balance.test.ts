/** Class pixel frequencies of a dataset and the balancing weights derived from them. */
import { describe, expect, it } from 'vitest';
import { classBalanceWeights, classPixelFrequencies, MAX_WEIGHT_RATIO } from '../../src/data/class-balance.js';
import type { Dataset } from '../../src/data/dataset.js';
import { DataError } from '../../src/errors.js';

/** Two 2x2 samples over 3 classes: class 0 has 4 pixels, class 1 three, class 2 none, one pixel ignored. */
const tiny: Dataset = {
  name: 'tiny',
  classes: ['a', 'b', 'c'],
  size: 2,
  get: async (i) => ({ id: `${i}`, width: 2, height: 2, image: new Float32Array(12), labels: Uint8Array.from(i === 0 ? [0, 0, 0, 1] : [1, 1, 255, 0]) }),
};

describe('classPixelFrequencies', () => {
  it('counts labelled pixels per class over the first samples', async () => {
    expect(await classPixelFrequencies(tiny)).toEqual([4 / 7, 3 / 7, 0]);
    expect(await classPixelFrequencies(tiny, 1)).toEqual([3 / 4, 1 / 4, 0]);
  });
  it('says so when there is nothing to count', async () => {
    await expect(classPixelFrequencies({ ...tiny, size: 0 })).rejects.toThrow(DataError);
    const unlabelled: Dataset = { ...tiny, get: async () => ({ id: '0', width: 1, height: 1, image: new Float32Array(3), labels: Uint8Array.of(255) }) };
    await expect(classPixelFrequencies(unlabelled)).rejects.toThrow(/have no labelled pixel/);
  });
});

describe('classBalanceWeights', () => {
  it('is f^-power normalised to mean 1: all 1 at power 0, inverse frequency at 1', () => {
    expect(classBalanceWeights([0.5, 0.25, 0.25], 0)).toEqual([1, 1, 1]);
    const w = classBalanceWeights([0.5, 0.25, 0.25], 1);
    expect(w.reduce((a, b) => a + b, 0) / 3).toBeCloseTo(1, 12);
    expect(w[1]! / w[0]!).toBeCloseTo(2, 12);
    expect(classBalanceWeights([0.64, 0.16, 0.2], 0.5)[1]! / classBalanceWeights([0.64, 0.16, 0.2], 0.5)[0]!).toBeCloseTo(2, 12);
  });
  it('caps the spread at MAX_WEIGHT_RATIO and gives an absent class the rarest weight', () => {
    const w = classBalanceWeights([0.9, 0.0999, 0.0001], 1);
    expect(Math.max(...w) / Math.min(...w)).toBeCloseTo(MAX_WEIGHT_RATIO, 9);
    const absent = classBalanceWeights([0.6, 0.4, 0], 1);
    expect(absent[2]).toBeCloseTo(absent[1]!, 12);
  });
  it('refuses a bad power or frequencies', () => {
    expect(() => classBalanceWeights([0.5, 0.5], -1)).toThrow(/power must be in \[0, 2\]/);
    expect(() => classBalanceWeights([0.5, 1.5], 1)).toThrow(/one share in \[0, 1\] per class/);
    expect(() => classBalanceWeights([0, 0], 1)).toThrow(/no class has any pixels/);
  });
});
