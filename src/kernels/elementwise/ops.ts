/**
 * The declarative op table for the long tail of elementwise ops: each entry is the op's code in the
 * shader's `switch OP` (shaders/unary.wgsl, shaders/binary.wgsl) and its float64 CPU reference.
 * Adding an op = one line here + one `case` in the shader.
 */
import { geluGradRef, geluRef, sigmoidRef, siluGradRef, siluRef } from '../reference.js';

export interface UnaryOpSpec {
  code: number;
  ref: (x: number, alpha: number) => number;
  /** Inputs a test should draw from (e.g. positive for log/sqrt). */
  domain?: 'positive';
}

export const UNARY_OPS = {
  identity: { code: 0, ref: (x) => x },
  neg: { code: 1, ref: (x) => -x },
  relu: { code: 2, ref: (x) => Math.max(x, 0) },
  gelu: { code: 3, ref: geluRef },
  silu: { code: 4, ref: siluRef },
  exp: { code: 5, ref: Math.exp },
  log: { code: 6, ref: Math.log, domain: 'positive' },
  sqrt: { code: 7, ref: Math.sqrt, domain: 'positive' },
  rsqrt: { code: 8, ref: (x) => 1 / Math.sqrt(x), domain: 'positive' },
  scale: { code: 9, ref: (x, alpha) => x * alpha },
  sigmoid: { code: 10, ref: sigmoidRef },
  tanh: { code: 11, ref: Math.tanh },
  abs: { code: 12, ref: Math.abs },
  square: { code: 13, ref: (x) => x * x },
  step: { code: 14, ref: (x) => (x > 0 ? 1 : 0) },
  sign: { code: 15, ref: Math.sign },
  gelu_grad: { code: 16, ref: geluGradRef },
  silu_grad: { code: 17, ref: siluGradRef },
} satisfies Record<string, UnaryOpSpec>;

export type UnaryOp = keyof typeof UNARY_OPS;

export interface BinaryOpSpec {
  code: number;
  ref: (a: number, b: number) => number;
  domain?: 'positive';
}

export const BINARY_OPS = {
  add: { code: 0, ref: (a, b) => a + b },
  sub: { code: 1, ref: (a, b) => a - b },
  mul: { code: 2, ref: (a, b) => a * b },
  div: { code: 3, ref: (a, b) => a / b },
  maximum: { code: 4, ref: Math.max },
  minimum: { code: 5, ref: Math.min },
  pow: { code: 6, ref: Math.pow, domain: 'positive' },
  greater_equal: { code: 7, ref: (a, b) => (a >= b ? 1 : 0) },
  less_equal: { code: 8, ref: (a, b) => (a <= b ? 1 : 0) },
  equal: { code: 9, ref: (a, b) => (a === b ? 1 : 0) },
} satisfies Record<string, BinaryOpSpec>;

export type BinaryOp = keyof typeof BINARY_OPS;
