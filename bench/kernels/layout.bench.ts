/**
 * The `layout` suite: the activation-layout experiment of issue #4. On each conv shape of the issue it
 * times our NCHW forward (what the engine runs: conv2d_subgroup.wgsl, or the matmul route for 1x1) and
 * our NHWC forward (conv2d_nhwc.wgsl, HWIO weights), each against TF.js's NHWC conv2d on the same
 * device, so the two rows of a shape share a yardstick. The NCHW row checks TF.js through a transpose
 * done outside the timed op, as in conv.bench.ts; the NHWC row compares directly.
 */
import type { Tensor as TfTensor, Tensor4D } from '@tensorflow/tfjs-core';
import { conv2d, isPointwise } from '../../src/kernels/conv/forward.js';
import { convGeometry } from '../../src/kernels/conv/geometry.js';
import { conv2dNhwc } from '../../src/kernels/conv/nhwc.js';
import { chooseConvForward } from '../../src/kernels/conv/select.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import { inputPair, releaseAll, type KernelCase } from '../case.js';

const SUITE = 'layout';

interface LayoutSpec {
  layout: 'NCHW' | 'NHWC';
  /** NCHW sizes [N, C, H, W] (the NHWC row runs the same sizes as [N, H, W, C]). */
  x: [number, number, number, number];
  o: number;
  k: number;
  stride: number;
}

function layoutCase({ layout, x, o, k, stride }: LayoutSpec): KernelCase {
  const [n, c, h, w] = x;
  // TF.js 'same' padding puts the odd pixel at the bottom/right; ours says so explicitly.
  const padTotal = (size: number) => Math.max((Math.ceil(size / stride) - 1) * stride + k - size, 0);
  const ph = padTotal(h);
  const pw = padTotal(w);
  const attrs = { stride: [stride, stride], padding: [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)] };
  const g = convGeometry('conv2d', x, [o, c, k, k], attrs);
  return {
    suite: SUITE,
    op: `conv2d ${layout}`,
    shape: `${x.join('x')} ${k}x${k}${stride > 1 ? ` s${stride}` : ''} ${c}->${o}`,
    metric: 'GFLOP/s',
    work: 2 * n * o * g.outH * g.outW * c * k * k,
    async build(ctx) {
      const tf = ctx.tfjs.tf;
      const strides: [number, number] = [stride, stride];
      if (layout === 'NHWC') {
        // Both sides read the very same NHWC input and HWIO weight: no transposes anywhere.
        const xs = inputPair(ctx, [n, h, w, c], 11, 'x');
        const ws = inputPair(ctx, [k, k, c, o], 12, 'w', 0.2);
        const ours = await ctx.rt.capture(() => conv2dNhwc(ctx.rt, xs.ours, ws.ours, attrs));
        return {
          ours,
          tfjs: () => tf.conv2d(xs.tf as Tensor4D, ws.tf as Tensor4D, strides, 'same'),
          algorithm: 'conv2d_nhwc:conv2d_nhwc_forward',
          release: () => releaseAll([xs, ws], ours),
        };
      }
      const xs = inputPair(ctx, x, 11, 'x');
      const ws = inputPair(ctx, [o, c, k, k], 12, 'w', 0.2);
      // NHWC and HWIO copies for TF.js, made once; its output is transposed back only for the check.
      const xTf = tf.transpose(xs.tf, [0, 2, 3, 1]) as Tensor4D;
      const wTf = tf.transpose(ws.tf, [2, 3, 1, 0]) as Tensor4D;
      const tfjs = () => tf.conv2d(xTf, wTf, strides, 'same');
      const ours = await ctx.rt.capture(() => conv2d(ctx.rt, xs.ours, ws.ours, attrs));
      const choice = chooseConvForward(matmulTarget(ctx.rt), g);
      return {
        ours,
        tfjs,
        tfjsCheck: () => tf.transpose(tfjs(), [0, 3, 1, 2]) as TfTensor,
        algorithm: isPointwise(g) ? 'matmul (1x1 conv)' : `${choice.shader}:${choice.entry}`,
        release: () => {
          releaseAll([xs, ws], ours);
          for (const t of [xTf, wTf]) t.dispose();
        },
      };
    },
  };
}

const SHAPES: Omit<LayoutSpec, 'layout'>[] = [
  { x: [1, 64, 128, 128], o: 64, k: 3, stride: 1 },
  { x: [1, 32, 256, 256], o: 64, k: 3, stride: 2 },
  { x: [1, 256, 64, 64], o: 64, k: 1, stride: 1 },
];

/** For each shape, NCHW then NHWC. */
export const layoutCases: readonly KernelCase[] = SHAPES.flatMap((s) => [layoutCase({ layout: 'NCHW', ...s }), layoutCase({ layout: 'NHWC', ...s })]);
