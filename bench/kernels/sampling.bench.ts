/**
 * Benchmark cases of the sampling kernels against TF.js's WebGPU kernels on the same device. Ours are
 * NCHW; TF.js runs NHWC copies transposed once at build time, and its output is transposed back only in
 * the correctness check, never in the timed op.
 *
 * Bilinear backward: TF.js's only bilinear gradient kernel (ResizeBilinearGrad) ignores halfPixelCenters,
 * i.e. it differentiates the legacy-coordinate resize, not PyTorch's align_corners=False. It is timed as
 * the closest equivalent (same shapes, same work); the check compares ours with the exact gradient
 * computed in TF.js as two matmuls with the interpolation matrices (dx = Rh^T dy Rw per plane).
 */
import type { Tensor as TfTensor, Tensor4D } from '@tensorflow/tfjs-core';
import { maxPool2d } from '../../src/kernels/sampling/pool.js';
import { pyramidFuse } from '../../src/kernels/sampling/pyramid.js';
import { bilinearTap, resizeBilinear, resizeBilinearBackward } from '../../src/kernels/sampling/resize.js';
import { inputPair, releaseAll, type InputPair, type KernelCase } from '../case.js';

const SUITE = 'vision';

/** The [out, in] matrix of PyTorch's align_corners=False bilinear interpolation along one axis. */
function interpolationMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = Math.fround(inSize / outSize);
  for (let d = 0; d < outSize; d++) {
    const t = bilinearTap(d, scale, inSize);
    m[d * inSize + t.i0]! += t.w0;
    m[d * inSize + t.i1]! += t.w1;
  }
  return m;
}

function bilinearCase(direction: 'forward' | 'backward', shape: [number, number, number, number], factor: number): KernelCase {
  const [n, c, h, w] = shape;
  const [oh, ow] = [h * factor, w * factor];
  return {
    suite: SUITE,
    op: `resize_bilinear${direction === 'backward' ? '_backward' : ''}`,
    shape: `${shape.join('x')} x${factor}`,
    metric: 'GB/s',
    work: 4 * n * c * (h * w + oh * ow), // read one side, write the other
    async build(ctx) {
      const tf = ctx.tfjs.tf;
      const toNchw = (t: TfTensor) => tf.transpose(t, [0, 3, 1, 2]);
      const pairs: InputPair[] = [];
      const extra: TfTensor[] = [];
      let ours;
      let tfjs: () => TfTensor;
      let tfjsCheck: () => TfTensor;
      if (direction === 'forward') {
        const x = inputPair(ctx, shape, 21, 'x');
        pairs.push(x);
        const xTf = tf.transpose(x.tf, [0, 2, 3, 1]) as Tensor4D;
        extra.push(xTf);
        ours = await ctx.rt.capture(() => resizeBilinear(ctx.rt, x.ours, { size: [oh, ow] }));
        tfjs = () => tf.image.resizeBilinear(xTf, [oh, ow], false, true);
        tfjsCheck = () => toNchw(tfjs());
      } else {
        const dy = inputPair(ctx, [n, c, oh, ow], 22, 'dy');
        const x = inputPair(ctx, shape, 23, 'x');
        pairs.push(dy, x);
        const dyTf = tf.transpose(dy.tf, [0, 2, 3, 1]) as Tensor4D;
        const xTf = tf.transpose(x.tf, [0, 2, 3, 1]) as Tensor4D;
        const rh = tf.tensor2d(interpolationMatrix(h, oh), [oh, h]);
        const rw = tf.tensor2d(interpolationMatrix(w, ow), [ow, w]);
        extra.push(dyTf, xTf, rh, rw);
        ours = await ctx.rt.capture(() => resizeBilinearBackward(ctx.rt, dy.ours, shape, { size: [oh, ow] }));
        tfjs = () => tf.engine().runKernel('ResizeBilinearGrad', { images: xTf, dy: dyTf }, { alignCorners: false }) as TfTensor;
        tfjsCheck = () => {
          const planes = n * c;
          const alongW = tf.matMul(tf.reshape(dy.tf, [planes * oh, ow]), rw); // [planes*oh, w]
          const t = tf.reshape(tf.transpose(tf.reshape(alongW, [planes, oh, w]), [0, 2, 1]), [planes * w, oh]);
          const alongH = tf.matMul(t, rh); // [planes*w, h]
          return tf.reshape(tf.transpose(tf.reshape(alongH, [planes, w, h]), [0, 2, 1]), shape);
        };
      }
      const captured = ours;
      return {
        ours: captured,
        tfjs,
        tfjsCheck,
        release: () => {
          releaseAll(pairs, captured);
          for (const t of extra) t.dispose();
        },
      };
    },
  };
}

function maxPoolCase(shape: [number, number, number, number], k: number, stride: number, padding: number): KernelCase {
  const [n, c, h, w] = shape;
  const oh = Math.floor((h + 2 * padding - k) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - k) / stride) + 1;
  return {
    suite: SUITE,
    op: 'max_pool2d',
    shape: `${shape.join('x')} ${k}x${k} s${stride} p${padding}`,
    metric: 'GB/s',
    work: 4 * n * c * (h * w + oh * ow),
    async build(ctx) {
      const tf = ctx.tfjs.tf;
      const x = inputPair(ctx, shape, 24, 'x');
      const xTf = tf.transpose(x.tf, [0, 2, 3, 1]) as Tensor4D;
      const ours = await ctx.rt.capture(() => maxPool2d(ctx.rt, x.ours, { kernel: k, stride, padding }));
      const tfjs = () => tf.maxPool(xTf, k, stride, padding);
      return {
        ours,
        tfjs,
        tfjsCheck: () => tf.transpose(tfjs(), [0, 3, 1, 2]),
        release: () => {
          releaseAll([x], ours);
          xTf.dispose();
        },
      };
    },
  };
}

/** Pyramid fusion of square levels to the first level's size; TF.js: one resizeBilinear per level plus adds. */
function pyramidCase(n: number, c: number, sides: number[]): KernelCase {
  const size = sides[0]!;
  return {
    suite: SUITE,
    op: 'pyramid_fuse',
    shape: `${n}x${c} ${sides.join('/')} -> ${size}`,
    metric: 'GB/s',
    work: 4 * n * c * (sides.reduce((t, s) => t + s * s, 0) + size * size),
    async build(ctx) {
      const tf = ctx.tfjs.tf;
      const levels = sides.map((s, l) => inputPair(ctx, [n, c, s, s], 30 + l, `level${l}`));
      const nhwc = levels.map((p) => tf.transpose(p.tf, [0, 2, 3, 1]) as Tensor4D);
      const ours = await ctx.rt.capture(() =>
        pyramidFuse(
          ctx.rt,
          levels.map((p) => p.ours),
          [size, size],
        ),
      );
      const tfjs = () => tf.addN(nhwc.map((t) => tf.image.resizeBilinear(t, [size, size], false, true)));
      return {
        ours,
        tfjs,
        tfjsCheck: () => tf.transpose(tfjs(), [0, 3, 1, 2]),
        release: () => {
          releaseAll(levels, ours);
          for (const t of nhwc) t.dispose();
        },
      };
    },
  };
}

/** Every sampling case of the vision suite, in report order. */
export const samplingCases: readonly KernelCase[] = [
  bilinearCase('forward', [1, 64, 64, 64], 2),
  bilinearCase('backward', [1, 64, 64, 64], 2),
  maxPoolCase([1, 64, 128, 128], 3, 2, 1),
  pyramidCase(1, 64, [64, 32, 16, 8]),
];
