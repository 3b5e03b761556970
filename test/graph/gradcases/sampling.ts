/** Gradient-check cases of the sampling ops: pooling, resize, pyramid fusion, concat / slice / pad. */
import type { GradCase } from './types.js';

export const SAMPLING_CASES: Record<string, GradCase[]> = {
  max_pool2d: [
    { shapes: [[1, 2, 5, 6]], attrs: { kernel: 3, stride: 2, padding: 1 } },
    { shapes: [[2, 1, 4, 3]], attrs: { kernel: 2 } },
  ],
  avg_pool2d: [
    { shapes: [[1, 2, 5, 6]], attrs: { kernel: 3, stride: 2, padding: 1 } },
    { shapes: [[1, 1, 5, 4]], attrs: { kernel: [2, 3], stride: 1, padding: [1, 1], countIncludePad: false } },
  ],
  global_avg_pool2d: [{ shapes: [[2, 3, 3, 5]] }],
  resize_bilinear: [
    { shapes: [[1, 2, 3, 4]], attrs: { size: [7, 5] } },
    { shapes: [[1, 1, 7, 6]], attrs: { size: [3, 4] } },
    { shapes: [[1, 1, 4, 5]], attrs: { scale: 1.5 } },
    { shapes: [[1, 1, 1, 1]], attrs: { size: [2, 3] } },
  ],
  pyramid_fuse: [
    { shapes: [[1, 2, 6, 5], [1, 2, 3, 3], [1, 2, 2, 1]], attrs: { size: [6, 5] } },
    { shapes: [[1, 1, 2, 2]], attrs: { size: [5, 3] } },
    { shapes: [[1, 1, 4, 4], [1, 1, 2, 2], [1, 1, 1, 1], [1, 1, 3, 5], [1, 1, 2, 3]], attrs: { size: [4, 4] } },
  ],
  concat: [
    { shapes: [[2, 3, 2, 2], [2, 1, 2, 2]], attrs: { axis: 1 } },
    { shapes: [[2, 3], [2, 1], [2, 2]], attrs: { axis: -1 } },
  ],
  slice: [
    { shapes: [[2, 4, 3, 5]], attrs: { begin: [1, 1, 0, 2], size: [1, 2, 3, -1] } },
    { shapes: [[6]], attrs: { begin: [2], size: [3] } },
  ],
  pad: [
    { shapes: [[1, 2, 3, 2]], attrs: { pads: [[0, 0], [1, 0], [2, 1], [0, 3]], value: 0.5 } },
    { shapes: [[4]], attrs: { pads: [[1, 2]] } },
  ],
};

/** The backward kernels (ops of their own) and nearest resize (label maps) have no gradient. */
export const SAMPLING_NO_GRADIENT = new Set(['max_pool2d_backward', 'avg_pool2d_backward', 'resize_bilinear_backward', 'resize_nearest', 'pyramid_fuse_backward']);
