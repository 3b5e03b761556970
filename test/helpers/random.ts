import { mulberry32 } from '../../src/random.js';

/** Seeded pseudo-random numbers (mulberry32, src/random.ts), so every test input is reproducible. */
export const rng = mulberry32;

/** `n` float32-representable values, uniform in [lo, hi). */
export function randomValues(n: number, seed: number, lo = -2, hi = 2): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}
