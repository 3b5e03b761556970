/**
 * Geometric augmentation and resizing for segmentation samples. Every transform is one window on a scaled
 * copy of the image (a CropPlan): scale, crop, pad and flip happen in a single pass that samples only the
 * output pixels, so a 2x zoom of a large photo never materialises the zoomed image. Images are resampled
 * bilinearly (half-pixel centres, as PyTorch's align_corners=False) after a box prefilter when shrinking by
 * 2x or more, so downscaled photos do not alias; labels take the nearest source pixel (never a blend of
 * class ids). Padding is the image's mean colour and the ignore label.
 */
import { DataError, ShapeError } from '../errors.js';
import { IGNORE_LABEL, type Sample } from './dataset.js';

/** Output size [height, width]. */
export type Size2 = readonly [number, number];

/** Train-time scale jitter, relative to the scale at which the image just covers the output. */
export const TRAIN_SCALE_RANGE: readonly [number, number] = [0.5, 2.0];

/** Where the output window lies on the image resized to scaledHeight x scaledWidth. */
export interface CropPlan {
  scaledHeight: number;
  scaledWidth: number;
  /** Top-left corner of the window in scaled pixels; negative, or a window past the end, means padding. */
  top: number;
  left: number;
  /** Mirror the window left-right. */
  flip: boolean;
}

/** The scale at which a width x height image just covers `size` (its short side, relative to size, fits). */
export function coverScale(width: number, height: number, size: Size2): number {
  return Math.max(size[0] / height, size[1] / width);
}

/** Random scale in TRAIN_SCALE_RANGE x coverScale, random window (random padding offset where smaller), random flip. */
export function trainCrop(width: number, height: number, size: Size2, random: () => number): CropPlan {
  checkSize(size, 'trainCrop');
  const [lo, hi] = TRAIN_SCALE_RANGE;
  const scale = coverScale(width, height, size) * (lo + (hi - lo) * random());
  const scaledHeight = Math.max(1, Math.round(height * scale));
  const scaledWidth = Math.max(1, Math.round(width * scale));
  return {
    scaledHeight,
    scaledWidth,
    top: randomOffset(scaledHeight, size[0], random),
    left: randomOffset(scaledWidth, size[1], random),
    flip: random() < 0.5,
  };
}

/** Deterministic: scale so the image just covers `size`, centre crop (or centre pad after rounding). */
export function evalCrop(width: number, height: number, size: Size2): CropPlan {
  checkSize(size, 'evalCrop');
  const scale = coverScale(width, height, size);
  const scaledHeight = Math.max(1, Math.round(height * scale));
  const scaledWidth = Math.max(1, Math.round(width * scale));
  return {
    scaledHeight,
    scaledWidth,
    top: Math.floor((scaledHeight - size[0]) / 2),
    left: Math.floor((scaledWidth - size[1]) / 2),
    flip: false,
  };
}

/** Destination arrays for applyCrop; labels may be floats (the loader's batch layout). */
export interface CropOutput {
  /** [3, h, w]. */
  image: Float32Array;
  /** [h, w]. */
  labels: Uint8Array | Float32Array;
}

/** Samples the `size` window of `plan` from `sample` into `out` (allocated when not given). */
export function applyCrop(sample: Sample, size: Size2, plan: CropPlan, out?: CropOutput): CropOutput {
  checkSize(size, 'applyCrop');
  checkSample(sample);
  const [outH, outW] = size;
  const result = out ?? { image: new Float32Array(3 * outH * outW), labels: new Uint8Array(outH * outW) };
  if (result.image.length !== 3 * outH * outW || result.labels.length !== outH * outW) {
    throw new ShapeError(
      `applyCrop: output arrays of ${result.image.length} and ${result.labels.length} values for a ` +
        `${outH} x ${outW} window; expected ${3 * outH * outW} and ${outH * outW}`,
    );
  }
  const rows = axisMap(outH, sample.height, plan.scaledHeight, plan.top, false);
  const cols = axisMap(outW, sample.width, plan.scaledWidth, plan.left, plan.flip);
  sampleImage(sample, rows, cols, result.image, outH, outW);
  sampleLabels(sample, rows, cols, result.labels, outW);
  return result;
}

/** A sample resized for inference, remembering the size it came from. */
export interface ResizedSample extends Sample {
  original: { width: number; height: number };
}

/**
 * Resizes a whole sample to exactly `size` (aspect ratio not kept; pick `size` with fitSize to keep it) for
 * segmenting single images. Map predictions back with resizeLabelsNearest(pred, size, [original.height, original.width]).
 */
export function resizeForModel(sample: Sample, size: Size2): ResizedSample {
  const plan: CropPlan = { scaledHeight: size[0], scaledWidth: size[1], top: 0, left: 0, flip: false };
  const { image, labels } = applyCrop(sample, size, plan);
  return {
    id: sample.id,
    height: size[0],
    width: size[1],
    image,
    labels: labels as Uint8Array,
    original: { width: sample.width, height: sample.height },
  };
}

/**
 * An input size [h, w] near the image's aspect ratio: the short side becomes `shortSide`, both rounded to a
 * multiple of `multiple` (a model's total stride), at least `multiple`.
 */
export function fitSize(width: number, height: number, shortSide: number, multiple = 1): [number, number] {
  if (!(width > 0 && height > 0 && shortSide > 0 && Number.isInteger(multiple) && multiple >= 1)) {
    throw new DataError(
      `fitSize: needs a positive image size, short side and integer multiple, got ${width} x ${height}, ` +
        `${shortSide}, ${multiple}`,
    );
  }
  const scale = shortSide / Math.min(width, height);
  const round = (v: number) => Math.max(multiple, Math.round(v / multiple) * multiple);
  return [round(height * scale), round(width * scale)];
}

type LabelArray = Uint8Array | Uint16Array | Int32Array | Float32Array;

/** Nearest-neighbour resize of a [H, W] label (or prediction) map from `from` to `to`; same array type out. */
export function resizeLabelsNearest<T extends LabelArray>(labels: T, from: Size2, to: Size2): T {
  checkSize(from, 'resizeLabelsNearest');
  checkSize(to, 'resizeLabelsNearest');
  if (labels.length !== from[0] * from[1]) {
    throw new ShapeError(
      `resizeLabelsNearest: ${labels.length} values for a ${from[0]} x ${from[1]} map; expected ${from[0] * from[1]}`,
    );
  }
  const out = new (labels.constructor as new (n: number) => T)(to[0] * to[1]);
  const rows = nearestIndices(to[0], from[0], to[0], 0, false);
  const cols = nearestIndices(to[1], from[1], to[1], 0, false);
  for (let y = 0; y < to[0]; y++) {
    const srcRow = rows[y]! * from[1];
    for (let x = 0; x < to[1]; x++) out[y * to[1] + x] = labels[srcRow + cols[x]!]!;
  }
  return out;
}

/** For each output position along one axis: the source sampling positions, or outside (padding). */
interface AxisMap {
  inside: Uint8Array;
  /** Nearest source index (labels). */
  nearest: Int32Array;
  /** Box-prefilter factor along this axis (1 = none). */
  factor: number;
  /** Bilinear taps into the prefiltered axis and the weight of the second. */
  i0: Int32Array;
  i1: Int32Array;
  weight: Float32Array;
}

function axisMap(outLength: number, srcLength: number, scaled: number, offset: number, flip: boolean): AxisMap {
  const scale = scaled / srcLength;
  // Shrinking by 2x or more: average factor x factor blocks first, then interpolate the rest of the way.
  const factor = scale < 0.5 ? Math.floor(1 / scale) : 1;
  const reduced = Math.ceil(srcLength / factor);
  const inside = new Uint8Array(outLength);
  const i0 = new Int32Array(outLength);
  const i1 = new Int32Array(outLength);
  const weight = new Float32Array(outLength);
  const nearest = nearestIndices(outLength, srcLength, scaled, offset, flip);
  for (let o = 0; o < outLength; o++) {
    const u = offset + (flip ? outLength - 1 - o : o);
    if (u < 0 || u >= scaled) continue;
    inside[o] = 1;
    // Half-pixel centres: scaled pixel u covers source [u / scale, (u + 1) / scale); reduced pixel r covers
    // source [r * factor, (r + 1) * factor).
    const src = (u + 0.5) / scale;
    const r = Math.min(Math.max(src / factor - 0.5, 0), reduced - 1);
    const r0 = Math.floor(r);
    i0[o] = r0;
    i1[o] = Math.min(r0 + 1, reduced - 1);
    weight[o] = r - r0;
  }
  return { inside, nearest, factor, i0, i1, weight };
}

/** Nearest source index per output position ("nearest-exact": the source pixel under the output centre). */
function nearestIndices(outLength: number, srcLength: number, scaled: number, offset: number, flip: boolean): Int32Array {
  const scale = scaled / srcLength;
  const out = new Int32Array(outLength);
  for (let o = 0; o < outLength; o++) {
    const u = offset + (flip ? outLength - 1 - o : o);
    out[o] = Math.min(Math.max(Math.floor((u + 0.5) / scale), 0), srcLength - 1);
  }
  return out;
}

function sampleImage(sample: Sample, rows: AxisMap, cols: AxisMap, out: Float32Array, outH: number, outW: number): void {
  const mean = channelMeans(sample);
  const { data, height, width } = boxReduce(sample.image, sample.height, sample.width, rows.factor, cols.factor);
  const plane = height * width;
  const outPlane = outH * outW;
  for (let c = 0; c < 3; c++) {
    const src = data.subarray(c * plane, (c + 1) * plane);
    const fill = mean[c]!;
    for (let y = 0; y < outH; y++) {
      const dst = c * outPlane + y * outW;
      if (!rows.inside[y]) {
        out.fill(fill, dst, dst + outW);
        continue;
      }
      const top = rows.i0[y]! * width;
      const bottom = rows.i1[y]! * width;
      const wy = rows.weight[y]!;
      for (let x = 0; x < outW; x++) {
        if (!cols.inside[x]) {
          out[dst + x] = fill;
          continue;
        }
        const x0 = cols.i0[x]!;
        const x1 = cols.i1[x]!;
        const wx = cols.weight[x]!;
        const a = src[top + x0]! + (src[top + x1]! - src[top + x0]!) * wx;
        const b = src[bottom + x0]! + (src[bottom + x1]! - src[bottom + x0]!) * wx;
        out[dst + x] = a + (b - a) * wy;
      }
    }
  }
}

function sampleLabels(sample: Sample, rows: AxisMap, cols: AxisMap, out: Uint8Array | Float32Array, outW: number): void {
  const width = sample.width;
  for (let y = 0; y < rows.inside.length; y++) {
    const dst = y * outW;
    if (!rows.inside[y]) {
      out.fill(IGNORE_LABEL, dst, dst + outW);
      continue;
    }
    const srcRow = rows.nearest[y]! * width;
    for (let x = 0; x < outW; x++) out[dst + x] = cols.inside[x] ? sample.labels[srcRow + cols.nearest[x]!]! : IGNORE_LABEL;
  }
}

/** [3, H, W] -> [3, ceil(H / fy), ceil(W / fx)], each output the mean of its block (edge blocks may be smaller). */
function boxReduce(image: Float32Array, height: number, width: number, fy: number, fx: number) {
  if (fy === 1 && fx === 1) return { data: image, height, width };
  const outH = Math.ceil(height / fy);
  const outW = Math.ceil(width / fx);
  const out = new Float32Array(3 * outH * outW);
  const rowSum = new Float64Array(width);
  for (let c = 0; c < 3; c++) {
    const src = image.subarray(c * height * width, (c + 1) * height * width);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * fy;
      const y1 = Math.min(y0 + fy, height);
      rowSum.fill(0);
      for (let y = y0; y < y1; y++) {
        const row = y * width;
        for (let x = 0; x < width; x++) rowSum[x]! += src[row + x]!;
      }
      const dst = c * outH * outW + oy * outW;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * fx;
        const x1 = Math.min(x0 + fx, width);
        let sum = 0;
        for (let x = x0; x < x1; x++) sum += rowSum[x]!;
        out[dst + ox] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return { data: out, height: outH, width: outW };
}

function channelMeans(sample: Sample): [number, number, number] {
  const plane = sample.width * sample.height;
  const means: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let p = c * plane; p < (c + 1) * plane; p++) sum += sample.image[p]!;
    means[c] = sum / plane;
  }
  return means;
}

/** Where the window starts: anywhere in the image when it is larger, anywhere in the padding when smaller. */
function randomOffset(scaled: number, out: number, random: () => number): number {
  const slack = scaled - out;
  const offset = Math.floor(random() * (Math.abs(slack) + 1));
  return slack >= 0 ? offset : -offset;
}

function checkSize(size: Size2, op: string): void {
  if (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new DataError(`${op}: size must be [height, width] with positive integers, got [${size.join(', ')}]`);
  }
}

function checkSample(sample: Sample): void {
  const plane = sample.width * sample.height;
  if (sample.image.length !== 3 * plane || sample.labels.length !== plane) {
    throw new ShapeError(
      `sample ${sample.id}: ${sample.image.length} image and ${sample.labels.length} label values for ` +
        `${sample.width} x ${sample.height}; expected ${3 * plane} and ${plane}`,
    );
  }
}
