/**
 * The kernel checks that also run inside Chromium (SwiftShader's WebGPU): one or two cases per kernel family,
 * taken from the Node kernel tests (test/kernels/), with the same helper (runOpCheck, which checkOp wraps),
 * the same float64 CPU references and the same tolerances. The page picks kernels for its own adapter
 * (4-lane subgroups on SwiftShader, 8 on lavapipe), so these exercise the selection rules as well.
 */
import type { CheckOptions } from '../../helpers/op-check.js';
import { randomValues, rng } from '../../helpers/random.js';

export interface KernelCase {
  op: string;
  shapes: number[][];
  options?: CheckOptions;
}

const MATMUL = { rtol: 1e-5, atol: 2e-5 };
const CONV = { rtol: 1e-5, atol: 5e-5 };
const NORM = { rtol: 1e-4, atol: 1e-5 };

/** Labels in [0, classes) with about a fifth of them the ignore label 255 (as test/kernels/cross-entropy.test.ts). */
function labels(n: number, classes: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => (next() < 0.2 ? 255 : Math.floor(next() * classes)));
}

export const KERNEL_CASES: KernelCase[] = [
  // The elementwise op table: scalar and vec4 paths, NumPy broadcasting.
  { op: 'gelu', shapes: [[257]], options: { rtol: 1e-5, atol: 2e-6 } },
  { op: 'exp', shapes: [[4, 1028]], options: { rtol: 1e-5, atol: 1e-6 } },
  { op: 'add', shapes: [[2, 3, 4, 5], [3, 1, 5]], options: { rtol: 1e-5, atol: 1e-6 } },
  { op: 'mul', shapes: [[4, 1028], [4, 1028]], options: { rtol: 1e-5, atol: 1e-6 } },
  // Matmul: odd sizes, both transposes, batched, the bias + activation epilogue.
  { op: 'matmul', shapes: [[33, 17], [17, 65]], options: MATMUL },
  { op: 'matmul', shapes: [[17, 33], [65, 17]], options: { attrs: { transA: true, transB: true }, ...MATMUL } },
  { op: 'matmul', shapes: [[3, 9, 11], [3, 11, 8]], options: MATMUL },
  { op: 'matmul', shapes: [[2, 19, 23], [23, 12], [12]], options: { attrs: { activation: 'gelu' }, ...MATMUL } },
  // Reductions and softmax.
  { op: 'reduce_sum', shapes: [[4, 5, 6]], options: { attrs: { axes: [0, 2] }, rtol: 1e-5, atol: 1e-5 } },
  { op: 'reduce_max', shapes: [[2, 4099]], options: { attrs: { axes: [1] }, rtol: 1e-5, atol: 1e-5 } },
  { op: 'softmax', shapes: [[2, 3, 65]], options: { rtol: 1e-5, atol: 1e-6 } },
  { op: 'log_softmax', shapes: [[5, 1000]], options: { rtol: 1e-5, atol: 1e-6 } },
  // Convolution forward (with and without the fused bias + ReLU) and both backward kernels.
  { op: 'conv2d', shapes: [[2, 3, 9, 7], [5, 3, 3, 3]], options: { attrs: { padding: [1, 1] }, ...CONV } },
  { op: 'conv2d', shapes: [[1, 5, 11, 19], [17, 5, 3, 3], [17]], options: { attrs: { padding: [1, 1], activation: 'relu' }, ...CONV } },
  { op: 'conv2d', shapes: [[1, 6, 9, 8], [6, 1, 3, 3]], options: { attrs: { groups: 6, padding: [1, 1] }, ...CONV } },
  { op: 'conv2d_backward_data', shapes: [[1, 6, 6, 5], [6, 4, 3, 3]], options: { attrs: { stride: [2, 2], padding: [1, 1], inputShape: [1, 4, 11, 9] }, ...CONV } },
  { op: 'conv2d_backward_weight', shapes: [[1, 4, 11, 9], [1, 6, 6, 5]], options: { attrs: { stride: [2, 2], padding: [1, 1], kernelSize: [3, 3] }, ...CONV } },
  // Norms.
  { op: 'group_norm', shapes: [[2, 8, 5, 6], [8], [8]], options: { attrs: { groups: 4 }, ...NORM } },
  { op: 'layer_norm', shapes: [[6, 32], [32], [32]], options: NORM },
  // Sampling: pooling, bilinear resize, the fused pyramid sum.
  { op: 'max_pool2d', shapes: [[2, 3, 7, 9]], options: { attrs: { kernel: 3, stride: 2, padding: 1 }, rtol: 1e-5, atol: 1e-5 } },
  { op: 'resize_bilinear', shapes: [[2, 3, 5, 7]], options: { attrs: { size: [10, 14] }, rtol: 1e-5, atol: 1e-5 } },
  { op: 'pyramid_fuse', shapes: [[1, 4, 9, 10], [1, 4, 5, 5], [1, 4, 3, 3]], options: { attrs: { size: [9, 10] }, rtol: 1e-5, atol: 1e-5 } },
  // Fused attention (online softmax; the subgroup key sharing where the adapter has subgroups).
  { op: 'attention', shapes: [[2, 5, 2, 8], [2, 6, 2, 8], [2, 6, 2, 8]], options: { rtol: 1e-4, atol: 1e-5 } },
  // Cross-entropy with the ignore label, forward and backward.
  { op: 'cross_entropy', shapes: [[2, 3, 5, 7], [2, 5, 7]], options: { values: [randomValues(210, 42, -4, 4), labels(70, 3, 1)], rtol: 1e-5, atol: 1e-6 } },
  {
    op: 'cross_entropy_backward',
    shapes: [[2, 3, 5, 7], [2, 5, 7], [1]],
    options: { values: [randomValues(210, 42, -4, 4), labels(70, 3, 1), Float32Array.of(0.7)], rtol: 1e-5, atol: 1e-6 },
  },
];
