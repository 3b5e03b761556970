/**
 * The `kernels` suite: our WGSL kernels against TF.js's WebGPU kernels on the same device.
 * Matmul shapes are written [B x] M x N x K; matmul runs the algorithm matmulPlan() picks in production.
 */
import { binary } from '../../src/kernels/elementwise/binary.js';
import { matmul, matmulPlan, type MatmulOptions } from '../../src/kernels/matmul/matmul.js';
import { softmax } from '../../src/kernels/softmax.js';
import { inputPair, releaseAll, type KernelCase } from '../case.js';

const SUITE = 'kernels';

interface MatmulSpec {
  batch?: number;
  m: number;
  n: number;
  k: number;
  transB?: boolean;
  /** Fused bias + ReLU epilogue (TF.js side: tf.fused.matMul). */
  biasRelu?: boolean;
}

function matmulCase({ batch = 1, m, n, k, transB = false, biasRelu = false }: MatmulSpec): KernelCase {
  const lead = batch > 1 ? [batch] : [];
  const op = biasRelu ? 'matmul_bias_relu' : transB ? 'matmul_transB' : 'matmul';
  return {
    suite: SUITE,
    op,
    shape: `${batch > 1 ? `${batch}x` : ''}${m}x${n}x${k}`,
    metric: 'GFLOP/s',
    // The epilogue's M*N adds are noise next to 2*M*N*K: count the matmul only, as BLAS benchmarks do.
    work: 2 * batch * m * n * k,
    async build(ctx) {
      const a = inputPair(ctx, [...lead, m, k], 1, 'A');
      const b = inputPair(ctx, [...lead, ...(transB ? [n, k] : [k, n])], 2, 'B');
      const bias = biasRelu ? inputPair(ctx, [n], 3, 'bias') : undefined;
      const options: MatmulOptions = { transB, ...(bias ? { bias: bias.ours, activation: 'relu' } : {}) };
      const plan = matmulPlan(ctx.rt, a.ours, b.ours, options);
      const ours = await ctx.rt.capture(() => matmul(ctx.rt, a.ours, b.ours, options));
      const tf = ctx.tfjs.tf;
      return {
        ours,
        algorithm: plan.algorithm,
        tfjs: bias
          ? () => tf.fused.matMul({ a: a.tf, b: b.tf, transposeB: transB, bias: bias.tf, activation: 'relu' })
          : () => tf.matMul(a.tf, b.tf, false, transB),
        release: () => releaseAll(bias ? [a, b, bias] : [a, b], ours),
      };
    },
  };
}

function addCase(shape: number[]): KernelCase {
  const count = shape.reduce((x, y) => x * y, 1);
  return {
    suite: SUITE,
    op: 'add',
    shape: shape.join('x'),
    metric: 'GB/s',
    work: 3 * 4 * count, // read a and b, write out
    async build(ctx) {
      const a = inputPair(ctx, shape, 4, 'a');
      const b = inputPair(ctx, shape, 5, 'b');
      const ours = await ctx.rt.capture(() => binary(ctx.rt, 'add', a.ours, b.ours));
      return { ours, tfjs: () => ctx.tfjs.tf.add(a.tf, b.tf), release: () => releaseAll([a, b], ours) };
    },
  };
}

function softmaxCase(shape: number[]): KernelCase {
  const count = shape.reduce((x, y) => x * y, 1);
  return {
    suite: SUITE,
    op: 'softmax',
    shape: shape.join('x'),
    metric: 'GB/s',
    work: 2 * 4 * count, // read x once, write y once: the least any softmax can move
    async build(ctx) {
      // Scale logits up so the max-subtraction matters (values in [-8, 8) rather than [-1, 1)).
      const x = inputPair(ctx, shape, 6, 'x', 8);
      const ours = await ctx.rt.capture(() => softmax(ctx.rt, x.ours));
      return { ours, tfjs: () => ctx.tfjs.tf.softmax(x.tf), release: () => releaseAll([x], ours) };
    },
  };
}

/** Every case of the suite, in report order. */
export const kernelCases: readonly KernelCase[] = [
  matmulCase({ m: 256, n: 256, k: 256 }),
  matmulCase({ m: 512, n: 512, k: 512 }),
  matmulCase({ m: 1024, n: 1024, k: 1024 }),
  matmulCase({ batch: 8, m: 128, n: 128, k: 64 }),
  matmulCase({ m: 512, n: 512, k: 512, transB: true }),
  matmulCase({ m: 512, n: 512, k: 512, biasRelu: true }),
  addCase([1024, 1024]),
  softmaxCase([1024, 1024]),
];
