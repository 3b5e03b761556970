/** Host-side tensors for CPU references: float64 data so references accumulate in double precision. */
import type { Shape } from './shape.js';

export interface HostTensor {
  shape: Shape;
  data: Float64Array;
}

export function host(shape: Shape, data: ArrayLike<number>): HostTensor {
  return { shape: [...shape], data: Float64Array.from(data) };
}

/** erf in float64 (Taylor series to |x| < 6, where erf is 1 to double precision). */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (-a * a) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
}

export const geluRef = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));
export const siluRef = (x: number): number => x * sigmoidRef(x);

/** Activation codes shared with shaders/lib/activation.wgsl. */
export const ACTIVATIONS = { none: 0, relu: 1, gelu: 2, silu: 3 } as const;
export type Activation = keyof typeof ACTIVATIONS;

export function activationRef(kind: Activation, x: number): number {
  switch (kind) {
    case 'relu':
      return Math.max(x, 0);
    case 'gelu':
      return geluRef(x);
    case 'silu':
      return siluRef(x);
    default:
      return x;
  }
}
