/** Gradient-check cases of the normalisation ops (see ../gradcheck.test.ts). */
import type { GradCase } from './types.js';

export const NORM_CASES: Record<string, GradCase[]> = {
  group_norm: [
    { shapes: [[2, 4, 3, 2], [4], [4]], attrs: { groups: 2 } },
    { shapes: [[1, 3, 5], [3], [3]], attrs: { groups: 3 } }, // groups = C: instance norm
    { shapes: [[2, 3], [3], [3]], attrs: { groups: 1, eps: 1e-3 } },
    { shapes: [[2, 4, 3]], attrs: { groups: 2 } }, // no affine
  ],
  layer_norm: [
    { shapes: [[3, 5], [5], [5]] },
    { shapes: [[2, 2, 4], [4], [4]], attrs: { eps: 1e-3 } },
    { shapes: [[7], [7], [7]] },
    { shapes: [[2, 1], [1], [1]] }, // D = 1: the output is the bias
    { shapes: [[4, 3]] },
  ],
  batch_norm_inference: [
    { shapes: [[2, 3, 2, 2], [3], [3]] },
    { shapes: [[3, 4], [4], [4]] },
  ],
};

/** Backward kernels: differentiated by nothing. */
export const NORM_NO_GRADIENT = new Set(['group_norm_backward_input', 'layer_norm_backward_input']);
