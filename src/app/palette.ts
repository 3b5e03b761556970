/** Class colours for overlays and label maps: distinct hues by the golden angle, the same for a class id everywhere. */
import type { Rgb } from './raster.js';

function hsvToRgb(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const [p, q, t] = [v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)];
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i % 6]!;
  return [Math.round(r! * 255), Math.round(g! * 255), Math.round(b! * 255)];
}

/** The colour of class `c` (255, "ignore", is black). */
export function classColor(c: number): Rgb {
  if (c === 255) return [0, 0, 0];
  const hue = (c * 0.618033988749895) % 1;
  // Alternate saturation and value so neighbours in hue still differ.
  return hsvToRgb(hue, c % 2 === 0 ? 0.75 : 0.55, c % 3 === 0 ? 0.95 : 0.8);
}
