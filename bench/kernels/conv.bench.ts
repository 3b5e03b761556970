/**
 * Benchmark cases of the conv kernels against TF.js's WebGPU conv kernels on the same device. Ours are
 * NCHW x OIHW; TF.js runs NHWC x HWIO on copies transposed once at build time, and its output is
 * transposed back only in the correctness check, never in the timed op.
 */
import type { Tensor as TfTensor, Tensor4D } from '@tensorflow/tfjs-core';
import { conv2dBackwardData } from '../../src/kernels/conv/backward_data.js';
import { conv2dBackwardWeight, conv2dBackwardWeightPlan } from '../../src/kernels/conv/backward_weight.js';
import { conv2d, conv2dPlan, isPointwise } from '../../src/kernels/conv/forward.js';
import { convGeometry } from '../../src/kernels/conv/geometry.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import { inputPair, releaseAll, type KernelCase } from '../case.js';

const SUITE = 'vision';

interface ConvSpec {
  direction: 'forward' | 'backward_data' | 'backward_weight';
  x: [number, number, number, number];
  o: number;
  k: number;
  stride: number;
  groups?: number;
}

function convCase({ direction, x, o, k, stride, groups = 1 }: ConvSpec): KernelCase {
  const [n, c, h, w] = x;
  const wShape = [o, c / groups, k, k];
  // TF.js 'same' padding puts the odd pixel at the bottom/right; ours says so explicitly.
  const padTotal = (size: number) => Math.max((Math.ceil(size / stride) - 1) * stride + k - size, 0);
  const ph = padTotal(h);
  const pw = padTotal(w);
  const attrs = { stride: [stride, stride], padding: [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)], groups };
  const g = convGeometry('conv2d', x, wShape, attrs);
  const yShape = [n, o, g.outH, g.outW];
  const depthwise = groups === c && groups === o;
  const op = direction === 'forward' ? (depthwise ? 'conv2d_depthwise' : 'conv2d') : `conv2d_${direction}`;
  return {
    suite: SUITE,
    op,
    shape: `${x.join('x')} ${k}x${k}${stride > 1 ? ` s${stride}` : ''} ${c}->${o}`,
    metric: 'GFLOP/s',
    work: 2 * n * o * g.outH * g.outW * (c / groups) * k * k,
    async build(ctx) {
      const tf = ctx.tfjs.tf;
      const xs = inputPair(ctx, x, 11, 'x');
      const ws = inputPair(ctx, wShape, 12, 'w', 0.2);
      const dys = inputPair(ctx, yShape, 13, 'dy');
      // NHWC and HWIO copies for TF.js, made once.
      const xTf = tf.transpose(xs.tf, [0, 2, 3, 1]) as Tensor4D;
      // HWIO for conv2d; [kH, kW, C, 1] for the depthwise filter.
      const wTf = tf.transpose(ws.tf, depthwise ? [2, 3, 0, 1] : [2, 3, 1, 0]) as Tensor4D;
      const dyTf = tf.transpose(dys.tf, [0, 2, 3, 1]) as Tensor4D;
      const toNchw = (t: TfTensor) => tf.transpose(t, [0, 3, 1, 2]);
      const strides: [number, number] = [stride, stride];
      let ours;
      let tfjs: () => TfTensor;
      let tfjsCheck: () => TfTensor;
      if (direction === 'forward') {
        ours = await ctx.rt.capture(() => conv2d(ctx.rt, xs.ours, ws.ours, attrs));
        tfjs = depthwise ? () => tf.depthwiseConv2d(xTf, wTf, strides, 'same') : () => tf.conv2d(xTf, wTf, strides, 'same');
        tfjsCheck = () => toNchw(tfjs());
      } else if (direction === 'backward_data') {
        ours = await ctx.rt.capture(() => conv2dBackwardData(ctx.rt, dys.ours, ws.ours, x, attrs));
        tfjs = () => tf.conv2dTranspose(dyTf, wTf, [n, h, w, c], strides, 'same');
        tfjsCheck = () => toNchw(tfjs());
      } else {
        ours = await ctx.rt.capture(() => conv2dBackwardWeight(ctx.rt, xs.ours, dys.ours, { ...attrs, kernelSize: [k, k] }));
        // TF.js exports no op for the filter gradient alone: run its kernel directly. HWIO -> OIHW to compare.
        tfjs = () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: xTf, dy: dyTf }, { strides, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, c, o] }) as TfTensor;
        tfjsCheck = () => tf.transpose(tfjs(), [3, 2, 0, 1]);
      }
      const captured = ours;
      const target = matmulTarget(ctx.rt);
      /** What runs a forward conv of this geometry: the 1x1 matmul, unfold + matmul, or a direct kernel. */
      const forwardKernel = (xShape: number[], wShp: number[], a: typeof attrs) => {
        const plan = conv2dPlan(target, xShape, wShp, a);
        if (isPointwise(convGeometry('conv2d', xShape, wShp, a))) return 'matmul (1x1 conv)';
        return plan.variant === 'im2col' ? 'unfold + matmul' : `${plan.launches[0]!.shader}:${plan.launches[0]!.entry}`;
      };
      return {
        ours: captured,
        tfjs,
        tfjsCheck,
        // Stride-1 backward-data runs as a flipped-weight forward conv (src/kernels/conv/backward_data.ts).
        algorithm:
          direction === 'backward_weight'
            ? conv2dBackwardWeightPlan(x, yShape, { ...attrs, kernelSize: [k, k] }, target).launches[0]!.entry === 'conv2d_unfold'
              ? 'unfold + matmul'
              : 'split-K + reduce'
            : direction === 'backward_data' && stride === 1
              ? `flip + ${forwardKernel(yShape, [c, o / groups, k, k], { ...attrs, stride: [1, 1] })}`
              : direction === 'backward_data'
                ? 'conv2d (direct)'
                : forwardKernel(x, wShape, attrs),
        release: () => {
          releaseAll([xs, ws, dys], captured);
          for (const t of [xTf, wTf, dyTf]) t.dispose();
        },
      };
    },
  };
}

const CONV_64: Omit<ConvSpec, 'direction'> = { x: [1, 64, 128, 128], o: 64, k: 3, stride: 1 };

/** Every conv case of the vision suite, in report order. */
export const convCases: readonly KernelCase[] = [
  convCase({ direction: 'forward', ...CONV_64 }),
  convCase({ direction: 'backward_data', ...CONV_64 }),
  convCase({ direction: 'backward_weight', ...CONV_64 }),
  convCase({ direction: 'forward', x: [1, 32, 256, 256], o: 64, k: 3, stride: 2 }),
  convCase({ direction: 'forward', x: [1, 256, 64, 64], o: 64, k: 1, stride: 1 }),
  convCase({ direction: 'forward', x: [1, 128, 64, 64], o: 128, k: 3, stride: 1, groups: 128 }),
  // The tiny model's narrow maps (stride 8 and 32 of a 128x128 batch of 4): unfold + matmul on CPU adapters.
  convCase({ direction: 'forward', x: [4, 64, 32, 32], o: 64, k: 3, stride: 1 }),
  convCase({ direction: 'backward_data', x: [4, 64, 32, 32], o: 64, k: 3, stride: 1 }),
  convCase({ direction: 'forward', x: [4, 128, 4, 4], o: 128, k: 3, stride: 1 }),
];
