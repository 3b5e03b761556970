/**
 * Colours: random, but inside the range typical of each class, so colour is a cue a small model can
 * use without being the whole answer (chairs and tables share woods, walls and ceilings share paints).
 */
import type { Rgb } from './materials.js';
import type { Rng } from './random.js';

export function rgb(r: number, g: number, b: number): Rgb {
  return [clamp01(r), clamp01(g), clamp01(b)];
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return rgb(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t);
}

export function scale(c: Rgb, k: number): Rgb {
  return rgb(c[0] * k, c[1] * k, c[2] * k);
}

/** Hue in degrees, saturation and lightness in [0, 1]. */
export function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return rgb(f(0), f(8), f(4));
}

/** `c` with its brightness varied by about `amount` (relative) and each channel by a third of that. */
export function vary(rng: Rng, c: Rgb, amount: number): Rgb {
  const k = 1 + rng.normal(amount);
  return rgb(c[0] * k * (1 + rng.normal(amount / 3)), c[1] * k * (1 + rng.normal(amount / 3)), c[2] * k * (1 + rng.normal(amount / 3)));
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export const palette = {
  grass: (r: Rng): Rgb => hsl(r.range(75, 125), r.range(0.35, 0.6), r.range(0.28, 0.42)),
  leaves: (r: Rng): Rgb =>
    r.chance(0.1) ? hsl(r.range(25, 45), r.range(0.5, 0.7), r.range(0.3, 0.42)) : hsl(r.range(85, 145), r.range(0.3, 0.6), r.range(0.17, 0.3)),
  bark: (r: Rng): Rgb => vary(r, [0.33, 0.24, 0.17], 0.15),
  asphalt: (r: Rng): Rgb => vary(r, [0.3, 0.31, 0.33], 0.15),
  paving: (r: Rng): Rgb => vary(r, r.chance(0.5) ? [0.66, 0.65, 0.62] : [0.7, 0.6, 0.5], 0.1),
  building: (r: Rng): Rgb =>
    r.pick<Rgb>([
      vary(r, [0.58, 0.3, 0.22], 0.12), // brick
      vary(r, [0.62, 0.6, 0.56], 0.1), // concrete
      hsl(r.range(20, 60), r.range(0.2, 0.5), r.range(0.6, 0.8)), // painted render
      vary(r, [0.82, 0.8, 0.76], 0.06), // white
    ]),
  facadeGlass: (r: Rng): Rgb => vary(r, [0.2, 0.26, 0.33], 0.2),
  carPaint: (r: Rng): Rgb =>
    r.chance(0.4) ? scale([1, 1, 1], r.pick([0.08, 0.15, 0.6, 0.75, 0.88])) : hsl(r.range(0, 360), r.range(0.5, 0.85), r.range(0.3, 0.5)),
  skin: (r: Rng): Rgb => mix([0.93, 0.76, 0.64], [0.38, 0.25, 0.17], r.next()),
  hair: (r: Rng): Rgb => r.pick<Rgb>([[0.08, 0.06, 0.05], [0.3, 0.2, 0.12], [0.75, 0.6, 0.35], [0.6, 0.6, 0.6], [0.45, 0.2, 0.1]]),
  shirt: (r: Rng): Rgb => (r.chance(0.25) ? scale([1, 1, 1], r.range(0.1, 0.92)) : hsl(r.range(0, 360), r.range(0.35, 0.85), r.range(0.3, 0.65))),
  trousers: (r: Rng): Rgb => r.pick<Rgb>([
    vary(r, [0.15, 0.2, 0.35], 0.2),
    vary(r, [0.1, 0.1, 0.1], 0.3),
    vary(r, [0.6, 0.52, 0.38], 0.1),
    vary(r, [0.35, 0.35, 0.38], 0.2),
  ]),
  wallPaint: (r: Rng): Rgb => hsl(r.range(0, 360), r.range(0.05, 0.35), r.range(0.62, 0.86)),
  carpet: (r: Rng): Rgb => hsl(r.range(0, 360), r.range(0.08, 0.35), r.range(0.28, 0.55)),
  ceiling: (r: Rng): Rgb => vary(r, [0.9, 0.89, 0.86], 0.04),
  wood: (r: Rng): Rgb => mix([0.7, 0.52, 0.32], [0.32, 0.19, 0.1], r.next()),
  tile: (r: Rng): Rgb => r.pick<Rgb>([
    vary(r, [0.8, 0.78, 0.74], 0.08),
    vary(r, [0.62, 0.35, 0.25], 0.1),
    vary(r, [0.5, 0.52, 0.55], 0.15),
  ]),
  furniture: (r: Rng): Rgb =>
    r.chance(0.55)
      ? mix([0.72, 0.55, 0.35], [0.3, 0.18, 0.1], r.next()) // wood
      : r.chance(0.5)
        ? hsl(r.range(0, 360), r.range(0.4, 0.8), r.range(0.35, 0.55)) // painted or plastic
        : scale([1, 1, 1], r.pick([0.12, 0.85])), // black or white
  door: (r: Rng): Rgb => (r.chance(0.5) ? mix([0.6, 0.42, 0.25], [0.35, 0.22, 0.12], r.next()) : vary(r, [0.88, 0.87, 0.84], 0.05)),
  windowFrame: (r: Rng): Rgb => (r.chance(0.7) ? vary(r, [0.92, 0.92, 0.9], 0.04) : vary(r, [0.2, 0.2, 0.22], 0.2)),
  mountain: (r: Rng): Rgb => (r.chance(0.6) ? vary(r, [0.42, 0.46, 0.55], 0.12) : vary(r, [0.34, 0.38, 0.3], 0.12)),
};
