/**
 * The real ADE20K and COCO-Stuff files in ../shared/data (see its SOURCES.md): decode, sizes, label ranges
 * and a batch through the loader. Skipped, saying which folder is missing, where the samples are absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { batches } from '../../src/data/loader.js';
import { openAde20k } from '../../src/data/node/ade20k.js';
import { openCocoStuff } from '../../src/data/node/cocostuff.js';

const ADE_DIR = resolve('../shared/data/ade20k-sample');
const COCO_DIR = resolve('../shared/data/coco-stuff-sample');
const HAVE_ADE = existsSync(ADE_DIR);
const HAVE_COCO = existsSync(COCO_DIR);
/** Appended to test names, so a skipped run says why in the report. */
const ADE_NOTE = HAVE_ADE ? '' : ` [SKIPPED: ${ADE_DIR} is absent]`;
const COCO_NOTE = HAVE_COCO ? '' : ` [SKIPPED: ${COCO_DIR} is absent]`;

// Per SOURCES.md: id, W x H, and the raw label-map maximum (ADE20K) or notable classes (COCO-Stuff).
const ADE_SAMPLES: [string, number, number, number][] = [
  ['ADE_val_00000001', 683, 512, 18],
  ['ADE_val_00000002', 500, 364, 18],
  ['ADE_val_00000003', 400, 300, 103],
];
const COCO_SAMPLES: [string, number, number][] = [
  ['000000000139', 640, 426],
  ['000000000785', 640, 425],
  ['000000001268', 640, 427],
  ['000000001490', 640, 315],
  ['000000001503', 320, 240],
  ['000000001584', 612, 612],
  ['000000001818', 640, 425],
  ['000000001993', 640, 419],
];

function presentClasses(ds: Dataset, labels: Uint8Array): Set<string> {
  const names = new Set<string>();
  for (const v of labels) names.add(v === 255 ? 'ignore' : ds.classes[v]!);
  return names;
}

async function expectBatch(ds: Dataset, numClasses: number): Promise<void> {
  const seen: string[] = [];
  for await (const batch of batches(ds, { batch: 2, size: [96, 128], train: true, seed: 3, prefetch: 1 })) {
    expect(batch.images).toHaveLength(2 * 3 * 96 * 128);
    expect(batch.labels).toHaveLength(2 * 96 * 128);
    expect(batch.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(batch.labels.every((v) => v === 255 || (Number.isInteger(v) && v >= 0 && v < numClasses))).toBe(true);
    // Real scenes: most pixels of a crop are labelled.
    expect(batch.labels.filter((v) => v !== 255).length).toBeGreaterThan(batch.labels.length / 4);
    seen.push(...batch.ids);
  }
  expect(seen.length).toBe(ds.size - (ds.size % 2));
}

describe(`ADE20K samples in ${ADE_DIR}`, () => {
  it.skipIf(!HAVE_ADE)(`decode with the sizes and label ranges of SOURCES.md${ADE_NOTE}`, async () => {
    const ds = await openAde20k(ADE_DIR, 'validation');
    expect(ds.size).toBe(3);
    for (const [index, [id, width, height, rawMax]] of ADE_SAMPLES.entries()) {
      const sample = await ds.get(index);
      expect([sample.id, sample.width, sample.height]).toEqual([id, width, height]);
      expect(sample.image).toHaveLength(3 * width * height);
      const labelled = sample.labels.filter((v) => v !== 255);
      expect(labelled.reduce((a, b) => Math.max(a, b), 0)).toBe(rawMax - 1);
      expect(labelled.length).toBeLessThan(sample.labels.length); // raw min is 0 = ignore
    }
    expect(presentClasses(ds, (await ds.get(0)).labels)).toContain('sky');
  });

  it.skipIf(!HAVE_ADE)(`go through the training loader${ADE_NOTE}`, async () => {
    await expectBatch(await openAde20k(ADE_DIR, 'validation'), 150);
  });
});

describe(`COCO-Stuff samples in ${COCO_DIR}`, () => {
  it.skipIf(!HAVE_COCO)(`decode with the sizes and classes of SOURCES.md${COCO_NOTE}`, async () => {
    const ds = await openCocoStuff(COCO_DIR, 'val2017');
    expect(ds.size).toBe(8);
    const classes: Set<string>[] = [];
    for (const [index, [id, width, height]] of COCO_SAMPLES.entries()) {
      const sample = await ds.get(index);
      expect([sample.id, sample.width, sample.height]).toEqual([id, width, height]);
      expect(sample.labels.every((v) => v === 255 || v < 171)).toBe(true);
      classes.push(presentClasses(ds, sample.labels));
    }
    // SOURCES.md: 000000001818 has only zebra, grass and unlabelled; 000000000139 is a living room.
    expect([...classes[6]!].sort()).toEqual(['grass', 'ignore', 'zebra']);
    for (const name of ['person', 'chair', 'potted plant', 'dining table', 'tv', 'microwave', 'refrigerator', 'book', 'clock', 'vase']) {
      expect(classes[0]).toContain(name);
    }
  });

  it.skipIf(!HAVE_COCO)(`go through the training loader${COCO_NOTE}`, async () => {
    await expectBatch(await openCocoStuff(COCO_DIR, 'val2017'), 171);
  });
});
