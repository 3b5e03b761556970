/**
 * One synthetic scene from a seed: indoor or outdoor (a fair coin unless asked), painted far to near
 * into label/material/shade buffers, then shaded into an image in one pass.
 *
 * Speed on one core (the 2-core CI machine, other jobs running): 128 x 128, 530-570 images/s mixed
 * (600-660 indoor or outdoor alone; 200-390 while a lavapipe test run loaded both cores); 256 x 256,
 * about 200 images/s. Measured with `npx tsx scripts/measure-synthetic.ts`.
 */
import { DataError } from '../../errors.js';
import { Canvas } from './canvas.js';
import { SYNTHETIC_ADE20K_IDS } from './classes.js';
import { paintIndoor } from './indoor.js';
import { ensureNoiseTables } from './noise.js';
import { paintOutdoor } from './outdoor.js';
import { Rng } from './random.js';
import { render } from './render.js';

export interface SyntheticSceneOptions {
  /** Force an indoor or an outdoor scene; by default the seed decides (about half each). */
  kind?: 'indoor' | 'outdoor';
}

export interface SyntheticScene {
  /** [3, H, W] RGB in [0, 1], channel-major. */
  image: Float32Array;
  /** [H, W] ADE20K class indices (into ADE20K_CLASSES). */
  ade20k: Uint8Array;
}

/** Smallest side that still leaves room for a recognisable scene. */
export const MIN_SCENE_SIDE = 8;
/** Largest side: beyond it one scene's buffers would take over a gigabyte. */
export const MAX_SCENE_SIDE = 8192;

/** The scene for `seed` at `size` = [height, width], labelled with ADE20K class indices. Deterministic per seed. */
export function syntheticScene(seed: number, size: readonly [number, number], options: SyntheticSceneOptions = {}): SyntheticScene {
  const { image, labels } = renderSyntheticScene(seed, size, options);
  const ade20k = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) ade20k[p] = SYNTHETIC_ADE20K_IDS[labels[p]!]!;
  return { image, ade20k };
}

/** The scene for `seed` with labels as indices into SYNTHETIC_CLASSES (what the dataset serves). */
export function renderSyntheticScene(
  seed: number,
  size: readonly [number, number],
  options: SyntheticSceneOptions = {},
): { image: Float32Array; labels: Uint8Array } {
  checkScene(seed, size, options);
  const [height, width] = size;
  ensureNoiseTables();
  const rng = new Rng(seed);
  const indoor = rng.next() < 0.5;
  const kind = options.kind ?? (indoor ? 'indoor' : 'outdoor');
  const canvas = new Canvas(width, height);
  const { camera, look } = kind === 'indoor' ? paintIndoor(rng, canvas) : paintOutdoor(rng, canvas);
  return { image: render(canvas, camera, look), labels: canvas.labels };
}

function checkScene(seed: number, size: readonly [number, number], options: SyntheticSceneOptions): void {
  if (!Number.isSafeInteger(seed)) throw new DataError(`syntheticScene: seed must be a safe integer, got ${seed}`);
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s >= MIN_SCENE_SIDE && s <= MAX_SCENE_SIDE)) {
    throw new DataError(`syntheticScene: size must be [height, width], integers in ${MIN_SCENE_SIDE}..${MAX_SCENE_SIDE}, got ${JSON.stringify(size)}`);
  }
  if (options.kind !== undefined && options.kind !== 'indoor' && options.kind !== 'outdoor') {
    throw new DataError(`syntheticScene: kind must be 'indoor' or 'outdoor', got ${JSON.stringify(options.kind)}`);
  }
}
