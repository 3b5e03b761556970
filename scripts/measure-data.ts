/**
 * Data pipeline speed on the real samples in ../shared/data: JPEG and label-PNG decode per file, a full
 * Dataset.get(), the crop/augment step, and loader throughput (images/s) at two output sizes.
 * Run: npx tsx scripts/measure-data.ts  (single-threaded: JS decoding runs on the main thread).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { applyCrop, trainCrop } from '../src/data/augment.js';
import { decodeImage, decodeLabelMap } from '../src/data/codecs.js';
import type { Dataset } from '../src/data/dataset.js';
import { batches } from '../src/data/loader.js';
import { openAde20k } from '../src/data/node/ade20k.js';
import { openCocoStuff } from '../src/data/node/cocostuff.js';
import { mulberry32 } from '../src/random.js';

const REPEATS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeMs(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function perFile(ds: Dataset, files: { image: string; labels: string }[]): Promise<void> {
  let pixels = 0;
  let jpegMs = 0;
  let pngMs = 0;
  let getMs = 0;
  let cropMs = 0;
  for (const [i, file] of files.entries()) {
    const imageBytes = new Uint8Array(readFileSync(file.image));
    const labelBytes = new Uint8Array(readFileSync(file.labels));
    decodeImage(imageBytes); // warm-up
    const jpeg = median(Array.from({ length: REPEATS }, () => timeMs(() => decodeImage(imageBytes))));
    const png = median(Array.from({ length: REPEATS }, () => timeMs(() => decodeLabelMap(labelBytes))));
    const gets: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const start = performance.now();
      await ds.get(i);
      gets.push(performance.now() - start);
    }
    const sample = await ds.get(i);
    const random = mulberry32(i);
    const cropOnce = () => applyCrop(sample, [256, 256], trainCrop(sample.width, sample.height, [256, 256], random));
    const crop = median(Array.from({ length: REPEATS }, () => timeMs(cropOnce)));
    const mp = (sample.width * sample.height) / 1e6;
    pixels += mp;
    jpegMs += jpeg;
    pngMs += png;
    getMs += median(gets);
    cropMs += crop;
    console.log(
      `  ${sample.id} ${sample.width}x${sample.height}: jpeg ${jpeg.toFixed(1)} ms, label png ${png.toFixed(2)} ms, ` +
        `get() ${median(gets).toFixed(1)} ms, train crop 256x256 ${crop.toFixed(2)} ms`,
    );
  }
  console.log(
    `  total ${pixels.toFixed(2)} MP: jpeg ${(pixels / (jpegMs / 1000)).toFixed(1)} MP/s, ` +
      `label png ${(pixels / (pngMs / 1000)).toFixed(0)} MP/s, ` +
      `get() ${((files.length * 1000) / getMs).toFixed(1)} samples/s, crop ${(cropMs / files.length).toFixed(2)} ms/sample`,
  );
}

async function loaderThroughput(ds: Dataset, size: [number, number], batch: number, count: number): Promise<void> {
  let images = 0;
  const start = performance.now();
  for await (const b of batches(ds, { batch, size, train: true, seed: 0, epochs: Infinity })) {
    images += b.ids.length;
    if (images >= count) break;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`  loader train ${size.join('x')} batch ${batch}: ${(images / seconds).toFixed(1)} images/s (${images} images)`);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${availableParallelism()} cores`);
  const ade = '../shared/data/ade20k-sample';
  const coco = '../shared/data/coco-stuff-sample';
  const sets = [
    { ds: await openAde20k(ade, 'validation'), root: ade, imageDir: 'images/validation', labelDir: 'annotations/validation' },
    {
      ds: await openCocoStuff(coco, 'val2017'),
      root: coco,
      imageDir: 'images/val2017',
      labelDir: 'stuffthingmaps_trainval2017/val2017',
    },
  ];
  for (const { ds, root, imageDir, labelDir } of sets) {
    console.log(ds.name);
    const ids: string[] = [];
    for (let i = 0; i < ds.size; i++) ids.push((await ds.get(i)).id);
    await perFile(ds, ids.map((id) => ({ image: `${root}/${imageDir}/${id}.jpg`, labels: `${root}/${labelDir}/${id}.png` })));
    await loaderThroughput(ds, [128, 128], 8, 96);
    await loaderThroughput(ds, [256, 256], 8, 96);
  }
}

await main();
