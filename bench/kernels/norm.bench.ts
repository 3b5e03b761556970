/**
 * Benchmark cases of the norm kernels. TF.js has no group norm or layer norm op, so its side is composed
 * the way a TF.js user would: reshape to [N, G, C/G*H*W] (or keep [rows, D]), tf.moments over the last
 * axis, normalise, reshape back, scale and shift. Folded batch norm on NCHW is tf.add(tf.mul(x, scale), shift)
 * with scale and shift reshaped to [1, C, 1, 1] at build time.
 */
import { batchNormInference, batchNormInferencePlan } from '../../src/kernels/norm/batch-norm.js';
import { groupNorm, groupNormPlan } from '../../src/kernels/norm/group-norm.js';
import { layerNorm, layerNormPlan } from '../../src/kernels/norm/layer-norm.js';
import type { KernelPlan } from '../../src/kernels/launch.js';
import { inputPair, releaseAll, type KernelCase } from '../case.js';

const SUITE = 'vision';
const EPS = 1e-5;

/** The algorithm column: our entry point, and how the TF.js side is built. */
const algorithmOf = (plan: KernelPlan, tfjs: string): string => `${plan.launches[0]!.entry}; tfjs: ${tfjs}`;

function groupNormCase(shape: [number, number, number, number], groups: number): KernelCase {
  const [n, c, h, w] = shape;
  const count = n * c * h * w;
  return {
    suite: SUITE,
    op: 'group_norm',
    shape: `${shape.join('x')} g${groups}`,
    metric: 'GB/s',
    work: 2 * 4 * count, // read x, write y: the least a fused group norm moves
    async build(ctx) {
      const x = inputPair(ctx, shape, 21, 'x', 3);
      const weight = inputPair(ctx, [c], 22, 'weight');
      const bias = inputPair(ctx, [c], 23, 'bias');
      const ours = await ctx.rt.capture(() => groupNorm(ctx.rt, x.ours, weight.ours, bias.ours, { groups, eps: EPS }));
      const tf = ctx.tfjs.tf;
      const w4 = tf.reshape(weight.tf, [1, c, 1, 1]);
      const b4 = tf.reshape(bias.tf, [1, c, 1, 1]);
      const tfjs = () =>
        tf.tidy(() => {
          const rows = tf.reshape(x.tf, [n, groups, (c / groups) * h * w]);
          const { mean, variance } = tf.moments(rows, 2, true);
          const xhat = tf.reshape(tf.mul(tf.sub(rows, mean), tf.rsqrt(tf.add(variance, EPS))), shape);
          return tf.add(tf.mul(xhat, w4), b4);
        });
      return {
        ours,
        algorithm: algorithmOf(groupNormPlan(shape, [[c], [c]], { groups }), 'reshape+moments'),
        tfjs,
        release: () => {
          w4.dispose();
          b4.dispose();
          releaseAll([x, weight, bias], ours);
        },
      };
    },
  };
}

function layerNormCase(rows: number, d: number): KernelCase {
  return {
    suite: SUITE,
    op: 'layer_norm',
    shape: `${rows}x${d}`,
    metric: 'GB/s',
    work: 2 * 4 * rows * d,
    async build(ctx) {
      const x = inputPair(ctx, [rows, d], 24, 'x', 3);
      const weight = inputPair(ctx, [d], 25, 'weight');
      const bias = inputPair(ctx, [d], 26, 'bias');
      const ours = await ctx.rt.capture(() => layerNorm(ctx.rt, x.ours, weight.ours, bias.ours, { eps: EPS }));
      const tf = ctx.tfjs.tf;
      const tfjs = () =>
        tf.tidy(() => {
          const { mean, variance } = tf.moments(x.tf, 1, true);
          return tf.add(tf.mul(tf.mul(tf.sub(x.tf, mean), tf.rsqrt(tf.add(variance, EPS))), weight.tf), bias.tf);
        });
      return { ours, algorithm: algorithmOf(layerNormPlan([rows, d], [[d], [d]]), 'moments'), tfjs, release: () => releaseAll([x, weight, bias], ours) };
    },
  };
}

function batchNormCase(shape: [number, number, number, number]): KernelCase {
  const c = shape[1];
  return {
    suite: SUITE,
    op: 'batch_norm_inference',
    shape: shape.join('x'),
    metric: 'GB/s',
    work: 2 * 4 * shape.reduce((a, b) => a * b, 1),
    async build(ctx) {
      const x = inputPair(ctx, shape, 27, 'x');
      const scale = inputPair(ctx, [c], 28, 'scale');
      const shift = inputPair(ctx, [c], 29, 'shift');
      const ours = await ctx.rt.capture(() => batchNormInference(ctx.rt, x.ours, scale.ours, shift.ours));
      const tf = ctx.tfjs.tf;
      const s4 = tf.reshape(scale.tf, [1, c, 1, 1]);
      const h4 = tf.reshape(shift.tf, [1, c, 1, 1]);
      return {
        ours,
        algorithm: algorithmOf(batchNormInferencePlan(shape, [c], [c]), 'mul+add'),
        tfjs: () => tf.tidy(() => tf.add(tf.mul(x.tf, s4), h4)),
        release: () => {
          s4.dispose();
          h4.dispose();
          releaseAll([x, scale, shift], ours);
        },
      };
    },
  };
}

export const normCases: readonly KernelCase[] = [
  groupNormCase([1, 64, 128, 128], 16),
  groupNormCase([1, 64, 128, 128], 32),
  layerNormCase(4096, 256),
  batchNormCase([1, 64, 128, 128]),
];
