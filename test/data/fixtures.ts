/**
 * Dataset folders written by the tests themselves (in a temp dir), in the ADE20K and COCO-Stuff layouts:
 * tiny images encoded as PNG with our encoder or as JPEG with jpeg-js, label maps as 8-bit grey PNGs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { encodePng } from '../../src/data/codecs.js';

export interface FixtureImage {
  width: number;
  height: number;
  /** Raw label-map values, width * height of them. */
  labels: number[] | Uint8Array;
  format?: 'png' | 'jpg';
}

/** A fresh temp dir; remove it with `rmSync(dir, { recursive: true, force: true })` (see cleanup()). */
export function tempDir(prefix = 'langseg-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A smooth colour gradient, so JPEG round trips stay close. */
export function gradientRgb(width: number, height: number, seed = 0): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 3 * (y * width + x);
      rgb[p] = (40 + seed * 17 + Math.round((150 * x) / Math.max(1, width - 1))) % 256;
      rgb[p + 1] = 60 + Math.round((150 * y) / Math.max(1, height - 1));
      rgb[p + 2] = 128;
    }
  }
  return rgb;
}

export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 95): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
    rgba[4 * p + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, quality).data);
}

export function encodeImage(image: FixtureImage, seed: number): Uint8Array {
  const rgb = gradientRgb(image.width, image.height, seed);
  return image.format === 'png' ? encodePng(rgb, image.width, image.height) : encodeJpeg(rgb, image.width, image.height);
}

/** Writes images into root/<imageDir> and label maps into root/<labelDir>, keyed by stem; skip some to unpair. */
export function writePairs(
  root: string,
  imageDir: string,
  labelDir: string,
  items: Record<string, FixtureImage>,
  options: { skipLabels?: string[]; skipImages?: string[] } = {},
): void {
  mkdirSync(join(root, imageDir), { recursive: true });
  mkdirSync(join(root, labelDir), { recursive: true });
  Object.entries(items).forEach(([stem, item], i) => {
    if (!options.skipImages?.includes(stem)) {
      writeFileSync(join(root, imageDir, `${stem}.${item.format ?? 'jpg'}`), encodeImage(item, i));
    }
    if (!options.skipLabels?.includes(stem)) {
      writeFileSync(join(root, labelDir, `${stem}.png`), encodePng(Uint8Array.from(item.labels), item.width, item.height));
    }
  });
}

/** A label map of `width * height` values cycling through `values`. */
export function cycling(values: number[], width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height }, (_, i) => values[i % values.length]!);
}
