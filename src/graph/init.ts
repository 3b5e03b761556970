/** Seeded parameter initialisers (PyTorch conventions for fan-in/fan-out: weights [out, in, ...kernel]). */
import type { Shape } from '../kernels/shape.js';
import { mulberry32 } from '../random.js';
import type { Initializer } from './graph.js';

/** A 32-bit hash of a string (FNV-1a), so each parameter's stream depends on its name, not on build order. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32 (src/random.ts): small, fast, and good enough for initial weights. */
export const seededRandom = mulberry32;

/** fan_in and fan_out of a weight of this shape. */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** Fill `out` for parameter `name` of `shape`, deterministically from (seed, name). */
export function initialize(out: Float32Array, shape: Shape, init: Initializer, seed: number, name: string): void {
  const random = seededRandom(hashString(`${seed}:${name}`));
  const uniform = (bound: number) => out.forEach((_, i) => (out[i] = (2 * random() - 1) * bound));
  const { fanIn, fanOut } = fans(shape);
  switch (init.kind) {
    case 'zeros':
      out.fill(0);
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'constant':
      out.fill(init.value);
      break;
    case 'uniform':
      uniform(init.bound);
      break;
    case 'normal':
      // Box-Muller.
      for (let i = 0; i < out.length; i++) {
        const u = Math.max(random(), 1e-12);
        out[i] = init.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      }
      break;
    case 'kaiming_uniform':
      // He et al. for ReLU networks: U(-b, b), b = sqrt(6 / fan_in).
      uniform(Math.sqrt(6 / fanIn));
      break;
    case 'xavier_uniform':
      uniform(Math.sqrt(6 / (fanIn + fanOut)));
      break;
  }
}
