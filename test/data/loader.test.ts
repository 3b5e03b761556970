import { describe, expect, it } from 'vitest';
import { applyCrop, evalCrop } from '../../src/data/augment.js';
import type { Dataset, Sample } from '../../src/data/dataset.js';
import { batches, type Batch, type BatchOptions } from '../../src/data/loader.js';
import { DataError } from '../../src/errors.js';

/** An in-memory dataset of distinct samples of varied sizes that records every get(). */
class FakeDataset implements Dataset {
  readonly name = 'fake';
  readonly classes = ['a', 'b', 'c'];
  readonly requested: number[] = [];

  constructor(
    readonly size: number,
    private readonly failAt = -1,
  ) {}

  async get(index: number): Promise<Sample> {
    this.requested.push(index);
    await Promise.resolve();
    if (index === this.failAt) throw new DataError(`sample ${index} is broken`);
    const width = 10 + (index % 3) * 7;
    const height = 8 + (index % 4) * 5;
    const plane = width * height;
    const image = Float32Array.from({ length: 3 * plane }, (_, i) => ((i * 31 + index * 7) % 97) / 97);
    const labels = Uint8Array.from({ length: plane }, (_, i) => (i + index) % 3);
    return { id: `s${index}`, width, height, image, labels };
  }
}

async function collect(ds: Dataset, options: BatchOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of batches(ds, options)) out.push(b);
  return out;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('batches, eval', () => {
  it('visits samples in order with centre crops; the last batch may be smaller', async () => {
    const ds = new FakeDataset(5);
    const out = await collect(ds, { batch: 2, size: [6, 8], train: false });
    expect(out.map((b) => b.ids)).toEqual([['s0', 's1'], ['s2', 's3'], ['s4']]);
    expect(out[2]!.images).toHaveLength(3 * 6 * 8);
    const s3 = await ds.get(3);
    const expected = applyCrop(s3, [6, 8], evalCrop(s3.width, s3.height, [6, 8]));
    expect(out[1]!.images.subarray(3 * 48)).toEqual(expected.image);
    expect(Array.from(out[1]!.labels.subarray(48))).toEqual(Array.from(expected.labels));
  });

  it('uses only the given indices', async () => {
    const out = await collect(new FakeDataset(10), { batch: 3, size: [4, 4], train: false, indices: [7, 2, 9] });
    expect(out.map((b) => b.ids)).toEqual([['s7', 's2', 's9']]);
  });
});

describe('batches, train', () => {
  it('shuffles each epoch by the seed and fills every batch across epochs', async () => {
    const ds = new FakeDataset(5);
    const out = await collect(ds, { batch: 2, size: [6, 6], train: true, seed: 4, epochs: 3 });
    expect(out).toHaveLength(7); // 15 samples, the last one dropped
    expect(out.every((b) => b.ids.length === 2)).toBe(true);
    const ids = out.flatMap((b) => b.ids);
    for (let e = 0; e < 2; e++) expect([...ids.slice(5 * e, 5 * e + 5)].sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(ids.slice(0, 5)).not.toEqual(ids.slice(5, 10)); // epochs differ in order
    expect(out.map((b) => b.epoch)).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });

  it('is reproducible for a seed, whatever the prefetch depth, and differs between seeds', async () => {
    const run = (seed: number, prefetch: number) =>
      collect(new FakeDataset(6), { batch: 3, size: [7, 9], train: true, seed, prefetch, epochs: 2 });
    const a = await run(1, 0);
    const b = await run(1, 3);
    expect(b.map((x) => x.ids)).toEqual(a.map((x) => x.ids));
    b.forEach((batch, i) => {
      expect(batch.images).toEqual(a[i]!.images);
      expect(batch.labels).toEqual(a[i]!.labels);
    });
    const c = await run(2, 2);
    expect(c.map((x) => x.ids)).not.toEqual(a.map((x) => x.ids));
  });

  it('resumes at an epoch with the same order and augmentation as the full run', async () => {
    const full = await collect(new FakeDataset(4), { batch: 2, size: [5, 5], train: true, seed: 8, epochs: 3 });
    const resumed = await collect(new FakeDataset(4), { batch: 2, size: [5, 5], train: true, seed: 8, epochs: 1, firstEpoch: 2 });
    expect(resumed.map((b) => b.ids)).toEqual(full.slice(4).map((b) => b.ids));
    expect(resumed[1]!.images).toEqual(full[5]!.images);
  });

  it('skips batches without decoding them: a resumed stream equals the rest of the full one', async () => {
    const full = await collect(new FakeDataset(5), { batch: 2, size: [5, 5], train: true, seed: 3, epochs: 3 });
    const ds = new FakeDataset(5);
    const resumed = await collect(ds, { batch: 2, size: [5, 5], train: true, seed: 3, epochs: 3, skipBatches: 3 });
    expect(resumed.map((b) => b.ids)).toEqual(full.slice(3).map((b) => b.ids));
    expect(resumed[0]!.images).toEqual(full[3]!.images);
    expect(ds.requested).toHaveLength(resumed.length * 2); // nothing decoded for the skipped batches
  });

  it('streams endlessly with epochs: Infinity', async () => {
    let count = 0;
    for await (const b of batches(new FakeDataset(3), { batch: 2, size: [4, 4], train: true, epochs: Infinity })) {
      expect(b.ids).toHaveLength(2);
      if (++count === 20) break;
    }
    expect(count).toBe(20);
  });
});

describe('batches, prefetch queue', () => {
  it('prepares exactly `prefetch` batches ahead of the one the consumer holds, no more', async () => {
    for (const prefetch of [0, 1, 3]) {
      const ds = new FakeDataset(40);
      const it = batches(ds, { batch: 2, size: [4, 4], train: false, prefetch });
      await it.next(); // the consumer holds batch 0
      for (let i = 0; i < 20; i++) await tick(); // a slow consumer: the producer gets every chance to run ahead
      expect(ds.requested.length, `prefetch ${prefetch}`).toBe(2 * (1 + prefetch));
      await it.next();
      for (let i = 0; i < 20; i++) await tick();
      expect(ds.requested.length, `prefetch ${prefetch}`).toBe(2 * (2 + prefetch));
      await it.return();
      for (let i = 0; i < 20; i++) await tick();
      expect(ds.requested.length, `prefetch ${prefetch}: nothing new after return()`).toBe(2 * (2 + prefetch));
    }
  });

  it('delivers the batches before a broken sample, then its error', async () => {
    const ds = new FakeDataset(6, 4);
    const seen: string[][] = [];
    let error: unknown;
    try {
      for await (const b of batches(ds, { batch: 2, size: [4, 4], train: false, prefetch: 2 })) seen.push(b.ids);
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual([['s0', 's1'], ['s2', 's3']]);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toBe('sample 4 is broken');
  });
});

describe('batches, options', () => {
  it('refuses bad options at the call, saying which', () => {
    const ds = new FakeDataset(3);
    const base: BatchOptions = { batch: 2, size: [4, 4], train: true };
    expect(() => batches(ds, { ...base, batch: 0 })).toThrow(/batch must be a positive integer, got 0/);
    expect(() => batches(ds, { ...base, size: [4, 0] })).toThrow(/size must be \[height, width\]/);
    expect(() => batches(ds, { ...base, prefetch: -1 })).toThrow(/prefetch must be an integer >= 0/);
    expect(() => batches(ds, { ...base, epochs: 0 })).toThrow(/epochs must be a positive integer or Infinity/);
    expect(() => batches(ds, { ...base, indices: [0, 3] })).toThrow(/index 3 is out of range for fake \(3 samples\)/);
    expect(() => batches(ds, { ...base, indices: [] })).toThrow(/no samples/);
    expect(() => batches(new FakeDataset(0), base)).toThrow(DataError);
  });
});
