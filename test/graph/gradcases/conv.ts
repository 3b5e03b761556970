/** Gradient-check cases of the conv ops (see ../gradcheck.test.ts): small, odd sizes, every attribute. */
import type { GradCase } from './types.js';

export const CONV_CASES: Record<string, GradCase[]> = {
  conv2d: [
    // x, weight, bias; 3x3 pad 1 on odd sizes with relu (random inputs keep outputs away from 0 enough
    // that the finite difference does not straddle the kink in practice: checked by this suite).
    { shapes: [[1, 2, 5, 4], [3, 2, 3, 3], [3]], attrs: { padding: [1, 1], activation: 'relu' } },
    { shapes: [[2, 3, 7, 6], [2, 3, 3, 3]], attrs: { stride: [2, 2], padding: [1, 0, 2, 1] } },
    { shapes: [[1, 4, 6, 6], [4, 2, 3, 3], [4]], attrs: { dilation: [2, 2], padding: [2, 2], groups: 2 } },
    { shapes: [[1, 3, 5, 5], [3, 1, 3, 3]], attrs: { padding: [1, 1], groups: 3 } },
    { shapes: [[1, 1, 1, 1], [1, 1, 1, 1], [1]] },
  ],
  conv_transpose2d: [
    { shapes: [[1, 3, 3, 4], [3, 2, 3, 3], [2]], attrs: { stride: [2, 2], padding: [1, 1], outputPadding: [1, 0] } },
    { shapes: [[2, 4, 3, 3], [4, 1, 2, 2]], attrs: { stride: [2, 2], groups: 2 } },
    { shapes: [[1, 2, 4, 3], [2, 3, 3, 3]], attrs: { dilation: [2, 1], padding: [1, 2, 0, 1] } },
  ],
};

/** The backward kernels are ops of their own; their derivatives are never needed. */
export const CONV_NO_GRADIENT = ['conv2d_backward_data', 'conv2d_backward_weight'];
