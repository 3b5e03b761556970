import { describe, expect, it } from 'vitest';
import { ADE20K_CLASSES } from '../../src/data/ade20k-classes.js';
import {
  SYNTHETIC_ADE20K_IDS,
  SYNTHETIC_CLASSES,
  renderSyntheticScene,
  syntheticDataset,
  syntheticScene,
  syntheticSceneSeed,
  toAde20kIds,
} from '../../src/data/synthetic/index.js';
import { DataError } from '../../src/errors.js';

const C = SYNTHETIC_CLASSES.length;
const cls = (name: string) => SYNTHETIC_CLASSES.indexOf(name as (typeof SYNTHETIC_CLASSES)[number]);

/** 200 scenes at the demo's size, rendered once for the statistics below. */
const SCENES = Array.from({ length: 200 }, (_, seed) => renderSyntheticScene(seed, [128, 128]));

/** Whether some pixel of class a has a 4-neighbour of class b. */
function touches(labels: Uint8Array, width: number, a: number, b: number): boolean {
  const height = labels.length / width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (labels[y * width + x] !== a) continue;
      if ((x > 0 && labels[y * width + x - 1] === b) || (x + 1 < width && labels[y * width + x + 1] === b)) return true;
      if ((y > 0 && labels[(y - 1) * width + x] === b) || (y + 1 < height && labels[(y + 1) * width + x] === b)) return true;
    }
  }
  return false;
}

describe('synthetic classes', () => {
  it('are ADE20K names in ADE20K order, 12 to 16 of them', () => {
    expect(C).toBeGreaterThanOrEqual(12);
    expect(C).toBeLessThanOrEqual(16);
    SYNTHETIC_CLASSES.forEach((name, c) => expect(ADE20K_CLASSES[SYNTHETIC_ADE20K_IDS[c]!]).toBe(name));
    for (let c = 1; c < C; c++) expect(SYNTHETIC_ADE20K_IDS[c]!).toBeGreaterThan(SYNTHETIC_ADE20K_IDS[c - 1]!);
  });

  it('map back to ADE20K ids, keeping 255 and refusing values outside the subset', () => {
    const labels = Uint8Array.from([0, cls('person'), cls('car'), 255]);
    expect([...toAde20kIds(labels)]).toEqual([0, ADE20K_CLASSES.indexOf('person'), ADE20K_CLASSES.indexOf('car'), 255]);
    expect(() => toAde20kIds(Uint8Array.from([C]))).toThrow(DataError);
  });
});

describe('syntheticScene', () => {
  it('is deterministic per seed, byte for byte', () => {
    const a = syntheticScene(1234, [128, 128]);
    const b = syntheticScene(1234, [128, 128]);
    expect(Buffer.from(a.image.buffer).equals(Buffer.from(b.image.buffer))).toBe(true);
    expect(Buffer.from(a.ade20k).equals(Buffer.from(b.ade20k))).toBe(true);
  });

  it('differs between seeds', () => {
    const a = syntheticScene(1, [128, 128]);
    const b = syntheticScene(2, [128, 128]);
    expect(Buffer.from(a.image.buffer).equals(Buffer.from(b.image.buffer))).toBe(false);
    expect(Buffer.from(a.ade20k).equals(Buffer.from(b.ade20k))).toBe(false);
  });

  it('labels with ADE20K ids of the synthetic classes only, and the subset labels agree', () => {
    const allowed = new Set(SYNTHETIC_ADE20K_IDS);
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const { ade20k } = syntheticScene(seed, [64, 80]);
      const { labels } = renderSyntheticScene(seed, [64, 80]);
      for (const v of new Set(ade20k)) expect(allowed.has(v)).toBe(true);
      expect([...toAde20kIds(labels)]).toEqual([...ade20k]);
    }
  });

  it('has image values in [0, 1] and labels in the subset', () => {
    for (const { image, labels } of SCENES) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of image) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(hi).toBeGreaterThan(lo);
      expect(Math.max(...new Set(labels))).toBeLessThan(C);
    }
  });

  it('shows every class across 200 scenes, about half of them indoors', () => {
    const seen = new Set<number>();
    let indoor = 0;
    for (const { labels } of SCENES) {
      const present = new Set(labels);
      present.forEach((c) => seen.add(c));
      if (present.has(cls('wall')) || present.has(cls('floor'))) indoor++;
    }
    const missing = SYNTHETIC_CLASSES.filter((_, c) => !seen.has(c));
    expect(missing).toEqual([]);
    expect(indoor).toBeGreaterThan(70);
    expect(indoor).toBeLessThan(130);
  });

  it('occludes: people next to both chairs and tables, cars and trees in front of buildings', () => {
    let seated = 0;
    let cars = 0;
    let trees = 0;
    for (const { labels } of SCENES) {
      if (touches(labels, 128, cls('person'), cls('chair')) && touches(labels, 128, cls('person'), cls('table'))) seated++;
      if (touches(labels, 128, cls('car'), cls('building'))) cars++;
      if (touches(labels, 128, cls('tree'), cls('building'))) trees++;
    }
    expect(seated).toBeGreaterThanOrEqual(10);
    expect(cars).toBeGreaterThanOrEqual(5);
    expect(trees).toBeGreaterThanOrEqual(5);
  });

  it('draws indoor or outdoor on request', () => {
    const indoorOnly = ['wall', 'floor', 'ceiling'].map(cls);
    const outdoorOnly = ['sky', 'building', 'road', 'grass', 'car'].map(cls);
    for (const seed of [10, 11, 12, 13]) {
      const indoor = new Set(renderSyntheticScene(seed, [64, 64], { kind: 'indoor' }).labels);
      const outdoor = new Set(renderSyntheticScene(seed, [64, 64], { kind: 'outdoor' }).labels);
      expect(indoorOnly.some((c) => indoor.has(c)) && !outdoorOnly.some((c) => indoor.has(c))).toBe(true);
      expect(outdoorOnly.some((c) => outdoor.has(c)) && !indoorOnly.some((c) => outdoor.has(c))).toBe(true);
    }
  });

  it('renders sizes other than 128 x 128, square or not', () => {
    for (const [h, w] of [
      [96, 96],
      [40, 64],
      [160, 120],
      [256, 256],
    ] as const) {
      const { image, ade20k } = syntheticScene(7, [h, w]);
      expect(image.length).toBe(3 * h * w);
      expect(ade20k.length).toBe(h * w);
      expect(new Set(ade20k).size).toBeGreaterThanOrEqual(3);
    }
  });

  it('refuses bad sizes, seeds and kinds with DataError', () => {
    expect(() => syntheticScene(0, [0, 128])).toThrow(DataError);
    expect(() => syntheticScene(0, [128.5, 128])).toThrow(/size must be \[height, width\]/);
    expect(() => syntheticScene(0.5, [128, 128])).toThrow(DataError);
    expect(() => syntheticScene(0, [64, 64], { kind: 'space' as 'indoor' })).toThrow(/kind must be/);
  });
});

describe('syntheticDataset', () => {
  it('serves samples of the contract with labels into its classes', async () => {
    const ds = syntheticDataset({ split: 'train', count: 3, size: [48, 64] });
    expect(ds.classes).toEqual(SYNTHETIC_CLASSES);
    expect(ds.size).toBe(3);
    const sample = await ds.get(2);
    expect(sample.width).toBe(64);
    expect(sample.height).toBe(48);
    expect(sample.image.length).toBe(3 * 48 * 64);
    expect(sample.labels.length).toBe(48 * 64);
    expect(Math.max(...sample.labels)).toBeLessThan(C);
    const again = await syntheticDataset({ split: 'train', count: 10, size: [48, 64] }).get(2);
    expect([...again.labels]).toEqual([...sample.labels]);
  });

  it('keeps train and val disjoint, and dataset seeds apart', async () => {
    const train = new Set(Array.from({ length: 500 }, (_, i) => syntheticSceneSeed('train', 0, i)));
    const val = Array.from({ length: 500 }, (_, i) => syntheticSceneSeed('val', 0, i));
    expect(val.some((s) => train.has(s))).toBe(false);
    const otherSeed = Array.from({ length: 500 }, (_, i) => syntheticSceneSeed('train', 1, i));
    expect(otherSeed.some((s) => train.has(s))).toBe(false);
    const a = await syntheticDataset({ split: 'train', count: 4, size: 64 }).get(0);
    const b = await syntheticDataset({ split: 'val', count: 4, size: 64 }).get(0);
    expect(a.id).not.toBe(b.id);
    expect([...a.image]).not.toEqual([...b.image]);
  });

  it('refuses bad options and indices with DataError', async () => {
    expect(() => syntheticDataset({ split: 'test' as 'val', count: 1, size: 64 })).toThrow(/split must be/);
    expect(() => syntheticDataset({ split: 'train', count: -1, size: 64 })).toThrow(DataError);
    expect(() => syntheticDataset({ split: 'train', count: 1, size: [64, 4] })).toThrow(/size must be/);
    expect(() => syntheticDataset({ split: 'train', count: 1, size: 64, seed: -2 })).toThrow(DataError);
    const ds = syntheticDataset({ split: 'val', count: 2, size: 32 });
    await expect(ds.get(2)).rejects.toThrow(/out of range 0..1/);
    await expect(ds.get(0.5)).rejects.toThrow(DataError);
  });
});
