/** Gradient-check cases of the core ops (see ../gradcheck.test.ts). */
import type { GradCase } from './types.js';

const unary = (extra: Partial<GradCase> = {}): GradCase[] => [{ shapes: [[2, 5]], ...extra }];
const binary = (extra: Partial<GradCase> = {}): GradCase[] => [
  { shapes: [[3, 4], [3, 4]], ...extra },
  { shapes: [[2, 3, 4], [3, 1]], ...extra }, // broadcast: the gradient is summed back
  { shapes: [[4], [2, 4]], ...extra },
];

/** One entry per differentiable op: adding an op to the registry without a case here fails the suite. */
export const CORE_CASES: Record<string, GradCase[]> = {
  identity: unary(),
  neg: unary(),
  relu: unary(),
  gelu: unary(),
  silu: unary(),
  exp: unary(),
  log: unary({ positive: true }),
  sqrt: unary({ positive: true }),
  rsqrt: unary({ positive: true }),
  scale: unary({ attrs: { alpha: -1.5 } }),
  sigmoid: unary(),
  tanh: unary(),
  abs: unary(),
  square: unary(),
  step: unary(),
  sign: unary(),
  add: binary(),
  sub: binary(),
  mul: binary(),
  div: binary({ positive: true }),
  maximum: binary(),
  minimum: binary(),
  pow: binary({ positive: true }),
  greater_equal: binary(),
  less_equal: binary(),
  equal: binary(),
  reduce_sum: [
    { shapes: [[3, 4]], attrs: { axes: [1] } },
    { shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: true } },
    { shapes: [[5]] },
  ],
  reduce_mean: [
    { shapes: [[3, 4]], attrs: { axes: [0] } },
    { shapes: [[2, 3, 4]], attrs: { axes: [1, 2] } },
  ],
  reduce_max: [
    { shapes: [[3, 4]], attrs: { axes: [1] } },
    { shapes: [[2, 3, 2]], attrs: { axes: [0], keepDims: true } },
  ],
  softmax: [{ shapes: [[3, 5]] }],
  log_softmax: [{ shapes: [[3, 5]] }],
  transpose: [
    { shapes: [[3, 4]] },
    { shapes: [[2, 3, 4]], attrs: { perm: [1, 2, 0] } },
  ],
  broadcast_to: [{ shapes: [[3, 1]], attrs: { shape: [2, 3, 4] } }],
  reshape: [{ shapes: [[2, 6]], attrs: { shape: [3, 4] } }],
  matmul: [
    { shapes: [[3, 4], [4, 5]] },
    { shapes: [[3, 4], [5, 4]], attrs: { transB: true } },
    { shapes: [[4, 3], [4, 5]], attrs: { transA: true } },
    { shapes: [[4, 3], [5, 4]], attrs: { transA: true, transB: true } },
    { shapes: [[2, 3, 4], [4, 4]] }, // B broadcast over the batch: its gradient sums over it
    { shapes: [[3, 4], [4, 8], [8]], attrs: { activation: 'relu' } },
    { shapes: [[3, 4], [2, 4, 8], [3]], attrs: { biasPerRow: true } }, // bias per row, batched B
  ],
};

/** Ops whose gradient is zero (piecewise constant) or that have no gradient rule (second derivatives). */
export const CORE_NO_GRADIENT = new Set(['step', 'sign', 'greater_equal', 'less_equal', 'equal', 'stop_gradient', 'gelu_grad', 'silu_grad']);

