/** Colour overlays of segmentations with a legend of the classes shown, for reports and `segment`. */
import { classColor } from './palette.js';
import { Raster } from './raster.js';

export interface OverlayOptions {
  /** Weight of the class colour over the image (default 0.5). */
  alpha?: number;
  /** Draw a legend strip under the image (default true). */
  legend?: boolean;
}

/**
 * image [3, H, W] in [0, 1]; classIds [H, W] (255: no class, left uncoloured); classes names the ids.
 * The legend lists the classes present, with their share of the pixels.
 */
export function overlay(image: Float32Array, classIds: ArrayLike<number>, width: number, height: number, classes: readonly string[], options: OverlayOptions = {}): Raster {
  const { alpha = 0.5, legend = true } = options;
  const plane = width * height;
  const counts = new Map<number, number>();
  for (let p = 0; p < plane; p++) counts.set(classIds[p]!, (counts.get(classIds[p]!) ?? 0) + 1);
  const present = [...counts.keys()].filter((c) => c !== 255).sort((a, b) => counts.get(b)! - counts.get(a)!);
  const rowHeight = 12;
  const perRow = Math.max(1, Math.floor(width / 120));
  const legendHeight = legend ? 6 + Math.ceil(present.length / perRow) * rowHeight : 0;
  const r = new Raster(width, height + legendHeight);
  for (let p = 0; p < plane; p++) {
    const c = classIds[p]!;
    const [cr, cg, cb] = c === 255 ? [0, 0, 0] : classColor(c);
    const a = c === 255 ? 0 : alpha;
    const i = p * 4;
    r.pixels[i] = Math.round(255 * image[p]! * (1 - a) + cr * a);
    r.pixels[i + 1] = Math.round(255 * image[plane + p]! * (1 - a) + cg * a);
    r.pixels[i + 2] = Math.round(255 * image[2 * plane + p]! * (1 - a) + cb * a);
    r.pixels[i + 3] = 255;
  }
  if (legend) {
    present.forEach((c, k) => {
      const x = 4 + (k % perRow) * Math.floor(width / perRow);
      const y = height + 4 + Math.floor(k / perRow) * rowHeight;
      r.fillRect(x, y, 8, 8, classColor(c));
      const name = `${classes[c] ?? `class ${c}`} ${Math.round((100 * counts.get(c)!) / plane)}%`;
      r.text(x + 11, y + 1, name.length * 6 > Math.floor(width / perRow) - 14 ? name.slice(0, Math.max(1, Math.floor((width / perRow - 14) / 6))) : name, [30, 30, 30]);
    });
  }
  return r;
}

/** A label map drawn in class colours (255 black), [H, W] -> RGBA raster. */
export function colorizeLabels(classIds: ArrayLike<number>, width: number, height: number): Raster {
  const r = new Raster(width, height);
  for (let p = 0; p < width * height; p++) {
    const [cr, cg, cb] = classColor(classIds[p]!);
    r.pixels.set([cr, cg, cb, 255], p * 4);
  }
  return r;
}
