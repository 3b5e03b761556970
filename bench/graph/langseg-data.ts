/**
 * Data for the `train` benchmark: a made-up descriptor set of 12 classes x 4 descriptors (the size issue #6
 * asks for) and a batch of toy scenes whose 5 labels are spread over the 12 classes. It only has to be
 * valid data: the benchmark times steps, it does not train to convergence.
 */
import type { DescriptorSet } from '../../src/descriptors/descriptor-set.js';
import { toyScenes } from '../../src/data/toy-scenes.js';

const NAMES = ['sky', 'grass', 'road', 'box', 'ball', 'tree', 'water', 'wall', 'car', 'person', 'sand', 'snow'];
const LOOKS = ['bright', 'dark', 'textured', 'distant'];

/** 12 classes, each with 4 descriptors ("bright sky", "dark sky", ...). */
export const BENCH_CLASSES: DescriptorSet = {
  classes: NAMES,
  descriptors: NAMES.map((name) => LOOKS.map((look) => `${look} ${name}`)),
};

export interface BenchBatch {
  /** [B, 3, size, size], RGB in [0, 1]. */
  images: Float32Array;
  /** [B, size, size] class ids in 0..classes-1, with the top `ignoredRows` rows of each image 255. */
  labels: Float32Array;
}

/**
 * Toy scenes (labels 0..4) with image i's labels shifted by 5 * i modulo `classes`, so a batch of 4 covers
 * every one of 12 classes; a few ignored rows keep the ignore label in play.
 */
export function benchBatch(batch: number, size: number, classes = NAMES.length, seed = 3, ignoredRows = 4): BenchBatch {
  const { images, labels } = toyScenes(batch, size, seed);
  const plane = size * size;
  for (let i = 0; i < batch; i++) {
    const image = labels.subarray(i * plane, (i + 1) * plane);
    for (let p = 0; p < plane; p++) image[p] = (image[p]! + 5 * i) % classes;
    image.fill(255, 0, Math.min(ignoredRows, size) * size);
  }
  return { images, labels };
}
