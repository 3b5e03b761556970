/**
 * Precomputed noise for the scene textures. Computing gradient or value noise per pixel per octave
 * would dominate the render time; instead one tileable 256 x 256 table of fractal value noise is built
 * once (a fixed seed, so every run and every browser gets the same table) and sampled bilinearly, with
 * per-object offsets and scales standing in for independent noise fields. A second table of white
 * noise gives the per-pixel sensor grain.
 */
import { Rng } from './random.js';

const SIZE = 256;
const MASK = SIZE - 1;

let fractal: Float32Array = new Float32Array(0);
let grain: Float32Array = new Float32Array(0);

/** Builds the tables on first use (a few milliseconds), so importing the library costs nothing. */
export function ensureNoiseTables(): void {
  if (fractal.length > 0) return;
  fractal = buildFractal(new Rng(0x5eed));
  grain = new Float32Array(SIZE * SIZE);
  const rng = new Rng(0x9a1f);
  for (let i = 0; i < grain.length; i++) grain[i] = 2 * rng.next() - 1;
}

/**
 * Fractal noise at (u, v) in texel units (the pattern repeats every 256 texels; its finest detail is
 * about 4 texels across), roughly in [-1, 1] with mean 0. Call ensureNoiseTables() first.
 */
export function noise(u: number, v: number): number {
  const fu = Math.floor(u);
  const fv = Math.floor(v);
  const tu = u - fu;
  const tv = v - fv;
  const x0 = fu & MASK;
  const y0 = (fv & MASK) * SIZE;
  const x1 = (x0 + 1) & MASK;
  const y1 = ((fv + 1) & MASK) * SIZE;
  const a = fractal[y0 + x0]!;
  const b = fractal[y0 + x1]!;
  const c = fractal[y1 + x0]!;
  const d = fractal[y1 + x1]!;
  return a + (b - a) * tu + (c - a) * tv + (a - b - c + d) * tu * tv;
}

/** White noise in [-1, 1] for pixel index `i` (wraps every 65536 pixels; offset `i` per scene). */
export function grainAt(i: number): number {
  return grain[i & (SIZE * SIZE - 1)]!;
}

/** Sum of value-noise octaves with periods 64, 32, 16, 8 and 4 texels, amplitudes halving, scaled to [-1, 1]. */
function buildFractal(rng: Rng): Float32Array {
  const out = new Float32Array(SIZE * SIZE);
  let amplitude = 1;
  for (let period = 64; period >= 4; period >>= 1) {
    const cells = SIZE / period;
    const lattice = new Float32Array(cells * cells);
    for (let i = 0; i < lattice.length; i++) lattice[i] = 2 * rng.next() - 1;
    for (let y = 0; y < SIZE; y++) {
      const gy = y / period;
      const iy = Math.floor(gy);
      const sy = smooth(gy - iy);
      const r0 = (iy % cells) * cells;
      const r1 = ((iy + 1) % cells) * cells;
      for (let x = 0; x < SIZE; x++) {
        const gx = x / period;
        const ix = Math.floor(gx);
        const sx = smooth(gx - ix);
        const c0 = ix % cells;
        const c1 = (ix + 1) % cells;
        const top = lattice[r0 + c0]! + (lattice[r0 + c1]! - lattice[r0 + c0]!) * sx;
        const bottom = lattice[r1 + c0]! + (lattice[r1 + c1]! - lattice[r1 + c0]!) * sx;
        out[y * SIZE + x]! += amplitude * (top + (bottom - top) * sy);
      }
    }
    amplitude *= 0.5;
  }
  let mean = 0;
  for (let i = 0; i < out.length; i++) mean += out[i]!;
  mean /= out.length;
  let peak = 0;
  for (let i = 0; i < out.length; i++) peak = Math.max(peak, Math.abs(out[i]! - mean));
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - mean) / peak;
  return out;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
