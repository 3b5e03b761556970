/**
 * Toy scenes for tests and sanity checks: a sky band over ground, with a few coloured shapes on top, each
 * class with its own colour and texture, and noise. Seeded and deterministic. The full synthetic scene
 * generator (indoor/outdoor, ADE20K classes) is separate; this one is small enough to learn in a few
 * hundred steps, which is what a training sanity check needs.
 */
import type { DescriptorSet } from '../descriptors/descriptor-set.js';
import { mulberry32 } from '../random.js';

export const TOY_CLASSES: DescriptorSet = {
  classes: ['sky', 'grass', 'road', 'box', 'ball'],
  descriptors: [
    ['clear blue sky', 'pale sky near the horizon'],
    ['green grass field', 'short lawn', 'grassy ground'],
    ['grey asphalt road', 'paved street'],
    ['red wooden box', 'crate with stripes', 'square red block'],
    ['yellow ball', 'round yellow sphere'],
  ],
};

const COLORS: [number, number, number][] = [
  [0.35, 0.6, 0.95],
  [0.2, 0.65, 0.25],
  [0.45, 0.45, 0.48],
  [0.8, 0.2, 0.15],
  [0.95, 0.85, 0.2],
];

export interface ToyBatch {
  /** [B, 3, H, W], RGB in [0, 1]. */
  images: Float32Array;
  /** [B, H, W], class ids 0..4. */
  labels: Float32Array;
}

/** `count` scenes of `size` x `size`, image i drawn from seed + i (so any subset is reproducible). */
export function toyScenes(count: number, size: number, seed = 0): ToyBatch {
  const plane = size * size;
  const images = new Float32Array(count * 3 * plane);
  const labels = new Float32Array(count * plane);
  for (let i = 0; i < count; i++) {
    const random = mulberry32(seed * 7919 + i);
    const horizon = Math.floor(size * (0.3 + 0.3 * random()));
    const ground = random() < 0.5 ? 1 : 2;
    const label = labels.subarray(i * plane, (i + 1) * plane);
    for (let y = 0; y < size; y++) label.fill(y < horizon ? 0 : ground, y * size, (y + 1) * size);
    // A box and a ball, somewhere below the horizon.
    const boxW = Math.floor(size * (0.15 + 0.2 * random()));
    const bx = Math.floor(random() * (size - boxW));
    const by = Math.min(size - boxW, horizon + Math.floor(random() * Math.max(1, size - horizon - boxW)));
    for (let y = by; y < by + boxW; y++) label.fill(3, y * size + bx, y * size + bx + boxW);
    const r = size * (0.08 + 0.1 * random());
    const cx = r + random() * (size - 2 * r);
    const cy = Math.min(size - r, horizon * 0.5 + random() * (size - horizon * 0.5 - r));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) label[y * size + x] = 4;
    }
    const shade = 0.85 + 0.3 * random();
    for (let p = 0; p < plane; p++) {
      const c = label[p]!;
      const x = p % size;
      const y = (p - x) / size;
      // Per-class texture: stripes on the box, a gradient in the sky, speckle on grass and road.
      const texture = c === 3 ? 0.12 * Math.sign(Math.sin(x * 0.9)) : c === 0 ? -0.2 * (y / size) : 0.1 * (random() - 0.5);
      for (let ch = 0; ch < 3; ch++) {
        const v = COLORS[c]![ch]! * shade + texture + 0.05 * (random() - 0.5);
        images[i * 3 * plane + ch * plane + p] = Math.min(1, Math.max(0, v));
      }
    }
  }
  return { images, labels };
}
