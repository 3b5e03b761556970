/** Host-side tensors for CPU references: float64 data so references accumulate in double precision. */
import type { Shape } from './shape.js';

export interface HostTensor {
  shape: Shape;
  data: Float64Array;
}

export function host(shape: Shape, data: ArrayLike<number>): HostTensor {
  return { shape: [...shape], data: Float64Array.from(data) };
}

/**
 * erf in float64: Taylor series below |x| = 2.5 (its terms stay small there, so no cancellation), the
 * continued fraction of erfc above it (converges fast for large |x|).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = a;
    let sum = a;
    for (let n = 1; n < 100; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  // erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), evaluated from the tail.
  let tail = a;
  for (let n = 80; n >= 1; n--) tail = a + n / 2 / tail;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / tail;
  return Math.sign(x) * (1 - erfc);
}

export const geluRef = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));
export const siluRef = (x: number): number => x * sigmoidRef(x);
export const geluGradRef = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
export const siluGradRef = (x: number): number => sigmoidRef(x) * (1 + x * (1 - sigmoidRef(x)));

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
