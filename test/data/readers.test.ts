import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/data/codecs.js';
import { openAde20k } from '../../src/data/node/ade20k.js';
import { openCocoStuff } from '../../src/data/node/cocostuff.js';
import { DataError } from '../../src/errors.js';
import { cleanup, cycling, tempDir, writePairs } from './fixtures.js';

async function expectDataError(promise: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a DataError').toBeInstanceOf(DataError);
  for (const part of parts) expect((error as Error).message).toMatch(part);
}

let root: string;
beforeEach(() => {
  root = tempDir();
});
afterEach(() => cleanup(root));

const ADE_IMAGES = 'images/validation';
const ADE_LABELS = 'annotations/validation';
const COCO_IMAGES = 'images/val2017';
const COCO_LABELS = 'stuffthingmaps_trainval2017/val2017';

describe('openAde20k on a fixture folder', () => {
  it('pairs files sorted by name and maps 0 -> 255, v -> v - 1', async () => {
    writePairs(root, ADE_IMAGES, ADE_LABELS, {
      ADE_val_00000002: { width: 6, height: 4, labels: cycling([0, 1, 150], 6, 4) },
      ADE_val_00000001: { width: 5, height: 3, labels: cycling([13, 0], 5, 3), format: 'png' },
    });
    const ds = await openAde20k(root, 'validation');
    expect(ds.name).toBe('ade20k/validation');
    expect(ds.size).toBe(2);
    expect(ds.classes).toHaveLength(150);
    const first = await ds.get(0);
    expect([first.id, first.width, first.height]).toEqual(['ADE_val_00000001', 5, 3]);
    expect(first.image).toHaveLength(3 * 5 * 3);
    expect(Array.from(first.labels.subarray(0, 4))).toEqual([12, 255, 12, 255]);
    expect(first.image.every((v) => v >= 0 && v <= 1)).toBe(true);
    const second = await ds.get(1);
    expect(Array.from(second.labels.subarray(0, 3))).toEqual([255, 0, 149]);
    await expectDataError(ds.get(2), 'index 2 is out of range', '2 samples');
  });

  it('refuses label values above 150, naming the file, the value and the pixel', async () => {
    writePairs(root, ADE_IMAGES, ADE_LABELS, { a: { width: 4, height: 2, labels: cycling([1, 2, 3, 4, 5, 151], 4, 2) } });
    const ds = await openAde20k(root, 'validation');
    await expectDataError(ds.get(0), join(root, ADE_LABELS, 'a.png'), 'label value 151 at pixel (x=1, y=1)', '1..150', '1 of 8 pixels');
  });

  it('refuses a label map whose size differs from its image, naming both sizes', async () => {
    writePairs(root, ADE_IMAGES, ADE_LABELS, { a: { width: 6, height: 4, labels: cycling([1], 6, 4) } });
    writeFileSync(join(root, ADE_LABELS, 'a.png'), encodePng(new Uint8Array(15).fill(1), 5, 3));
    const ds = await openAde20k(root, 'validation');
    await expectDataError(ds.get(0), 'a.png is 5 x 3', 'a.jpg is 6 x 4');
  });

  it('opens lazily: a corrupt image fails in get(), naming the file', async () => {
    writePairs(root, ADE_IMAGES, ADE_LABELS, { a: { width: 4, height: 4, labels: cycling([1], 4, 4) } });
    writeFileSync(join(root, ADE_IMAGES, 'a.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2]));
    const ds = await openAde20k(root, 'validation');
    expect(ds.size).toBe(1);
    await expectDataError(ds.get(0), join(root, ADE_IMAGES, 'a.jpg'), 'cannot decode the JPEG');
  });

  it('names an image without a label map and a label map without an image', async () => {
    writePairs(root, ADE_IMAGES, ADE_LABELS, {
      a: { width: 2, height: 2, labels: [1, 1, 1, 1] },
      b: { width: 2, height: 2, labels: [1, 1, 1, 1] },
    }, { skipLabels: ['b'] });
    await expectDataError(openAde20k(root, 'validation'), '1 image(s) have no label map', join(root, ADE_IMAGES, 'b.jpg'), join(root, ADE_LABELS, 'b.png'));
    writePairs(root, ADE_IMAGES, ADE_LABELS, { b: { width: 2, height: 2, labels: [1, 1, 1, 1] }, c: { width: 2, height: 2, labels: [1, 1, 1, 1] } }, { skipImages: ['c'] });
    await expectDataError(openAde20k(root, 'validation'), '1 label map(s) have no image', join(root, ADE_LABELS, 'c.png'));
  });

  it('says which folder it expected for a missing, empty or wrongly laid-out dataset', async () => {
    await expectDataError(openAde20k(join(root, 'nope'), 'validation'), `dataset root ${join(root, 'nope')} does not exist`, 'ADEChallengeData2016/images/validation');
    mkdirSync(join(root, 'validation')); // images at the wrong level
    await expectDataError(openAde20k(root, 'validation'), `images folder ${join(root, ADE_IMAGES)} does not exist`, 'annotations/validation/*.png');
    mkdirSync(join(root, ADE_IMAGES), { recursive: true });
    mkdirSync(join(root, ADE_LABELS), { recursive: true });
    await expectDataError(openAde20k(root, 'validation'), `images folder ${join(root, ADE_IMAGES)} has no .jpg/.jpeg/.png files`);
    await expectDataError(openAde20k(root, 'training'), `images folder ${join(root, 'images/training')} does not exist`);
    writeFileSync(join(root, 'file'), 'x');
    await expectDataError(openAde20k(join(root, 'file'), 'validation'), 'is not a folder');
    await expectDataError(openAde20k(root, 'val' as 'validation'), "'training' or 'validation'", '"val"');
  });
});

describe('openCocoStuff on a fixture folder', () => {
  it('maps the used ids to 0..170 in id order and keeps 255', async () => {
    writePairs(root, COCO_IMAGES, COCO_LABELS, {
      '000000000002': { width: 4, height: 2, labels: [0, 12, 91, 181, 255, 23, 123, 2] },
    });
    const ds = await openCocoStuff(root, 'val2017');
    expect(ds.name).toBe('cocostuff/val2017');
    expect(ds.classes).toHaveLength(171);
    const sample = await ds.get(0);
    expect(Array.from(sample.labels)).toEqual([0, 11, 80, 170, 255, 22, 112, 2]);
  });

  it('refuses unused thing ids and values above 181', async () => {
    writePairs(root, COCO_IMAGES, COCO_LABELS, {
      a: { width: 3, height: 1, labels: [0, 11, 1] }, // 11 = street sign, never annotated
      b: { width: 3, height: 1, labels: [0, 200, 1] },
    });
    const ds = await openCocoStuff(root, 'val2017');
    await expectDataError(ds.get(0), 'a.png', 'label value 11', '171 used ids');
    await expectDataError(ds.get(1), 'b.png', 'label value 200');
  });

  it('expects stuffthingmaps_trainval2017/<split> next to images/<split>', async () => {
    writePairs(root, COCO_IMAGES, 'annotations/val2017', { a: { width: 2, height: 1, labels: [0, 1] } });
    await expectDataError(openCocoStuff(root, 'val2017'), join(root, COCO_LABELS), 'does not exist', 'stuffthingmaps_trainval2017/val2017/*.png');
    await expectDataError(openCocoStuff(root, 'val' as 'val2017'), "'train2017' or 'val2017'");
  });
});
