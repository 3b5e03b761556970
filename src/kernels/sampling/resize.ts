/**
 * Resize of NCHW tensors (shaders/resize.wgsl): bilinear with PyTorch's align_corners=False semantics,
 * forward and backward, and nearest for label maps. The output size is given either as `size` [H, W] or
 * as a `scale` factor, which (as in F.interpolate with a scale_factor) also sets the source step to
 * 1/scale rather than in/out: the two differ when in * scale is not an integer.
 */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan, type Slot } from '../launch.js';
import type { HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type DType, type Tensor } from '../tensor.js';
import { expectNCHW, planeLaunches } from './grid.js';

/** Target size of a resize: exactly one of an output size or a scale factor (one per axis or shared). */
export interface ResizeOptions {
  size?: readonly [number, number];
  scale?: number | readonly [number, number];
}

/** Resolved geometry: sizes and the f32 source step per output pixel along each axis. */
export interface ResizeGeometry {
  planes: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  scaleH: number;
  scaleW: number;
}

/** Validate a resize of an NCHW shape and work out the output size and source steps (as PyTorch does, in f32). */
export function resizeGeometry(op: string, shape: Shape, options: ResizeOptions): ResizeGeometry {
  const [n, c, inH, inW] = expectNCHW(op, shape);
  if (inH === 0 || inW === 0) throw new ShapeError(`${op}: input ${formatShape(shape)} has an empty spatial axis`);
  const { size, scale } = options;
  if ((size === undefined) === (scale === undefined)) {
    throw new ShapeError(`${op}: give exactly one of size [H, W] or scale (got ${JSON.stringify(options)})`);
  }
  if (size !== undefined) {
    if (!Array.isArray(size) || size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(`${op}: size must be [H, W] with positive integers, got ${JSON.stringify(size)}`);
    }
    const [outH, outW] = size as [number, number];
    return { planes: n * c, inH, inW, outH, outW, scaleH: Math.fround(inH / outH), scaleW: Math.fround(inW / outW) };
  }
  const [sh, sw] = typeof scale === 'number' ? [scale, scale] : (scale as readonly number[]);
  if (!(typeof sh === 'number' && sh > 0 && Number.isFinite(sh) && typeof sw === 'number' && sw > 0 && Number.isFinite(sw))) {
    throw new ShapeError(`${op}: scale must be a positive number or a pair of them, got ${JSON.stringify(scale)}`);
  }
  const outH = Math.floor(inH * sh);
  const outW = Math.floor(inW * sw);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(`${op}: scale ${JSON.stringify(scale)} shrinks input ${formatShape(shape)} to an empty [${outH}, ${outW}]`);
  }
  return { planes: n * c, inH, inW, outH, outW, scaleH: Math.fround(1 / sh), scaleW: Math.fround(1 / sw) };
}

function uniforms(g: ResizeGeometry): Record<string, number> {
  return { in_h: g.inH, in_w: g.inW, out_h: g.outH, out_w: g.outW, scale_h: g.scaleH, scale_w: g.scaleW, planes: g.planes };
}

/** The kernel plan of a bilinear (align_corners=False) or nearest resize of an NCHW tensor. */
export function resizePlan(mode: 'bilinear' | 'nearest', shape: Shape, options: ResizeOptions, dtype: DType = 'f32'): KernelPlan {
  const g = resizeGeometry(`resize_${mode}`, shape, options);
  const bindings: Record<string, Slot> = mode === 'bilinear' ? { input: 'in0', output: 'out' } : { labels_in: 'in0', labels_out: 'out' };
  const launches = planeLaunches({ shader: 'resize', entry: `${mode}_forward`, uniforms: uniforms(g), bindings }, g.outW, g.outH, g.planes);
  return { out: { shape: [shape[0]!, shape[1]!, g.outH, g.outW], dtype }, temps: [], launches };
}

/** The kernel plan of the input gradient of a bilinear resize: dy (the resized shape) -> dx (inputShape). */
export function resizeBilinearBackwardPlan(inputShape: Shape, dyShape: Shape, options: ResizeOptions): KernelPlan {
  const op = 'resize_bilinear_backward';
  const g = resizeGeometry(op, inputShape, options);
  const want = [inputShape[0]!, inputShape[1]!, g.outH, g.outW];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`${op}: dy must have the resized shape ${formatShape(want)} of input ${formatShape(inputShape)}, got ${formatShape(dyShape)}`);
  }
  const launches = planeLaunches(
    { shader: 'resize', entry: 'bilinear_backward', uniforms: uniforms(g), bindings: { input: 'in0', output: 'out' } },
    g.inW,
    g.inH,
    g.planes,
  );
  return { out: { shape: [...inputShape], dtype: 'f32' }, temps: [], launches };
}

/** Bilinear resize of an NCHW tensor (PyTorch's F.interpolate(mode='bilinear', align_corners=False)). */
export async function resizeBilinear(rt: KernelRuntime, x: Tensor, options: ResizeOptions): Promise<Tensor> {
  const plan = resizePlan('bilinear', x.shape, options);
  expectDType('resize_bilinear', x, ['f32']);
  return runPlan(rt, plan, [x], `resize_bilinear(${x.name})`);
}

/** Input gradient of resizeBilinear: dy (the resized shape) -> dx of `inputShape`. */
export async function resizeBilinearBackward(rt: KernelRuntime, dy: Tensor, inputShape: Shape, options: ResizeOptions): Promise<Tensor> {
  const plan = resizeBilinearBackwardPlan(inputShape, dy.shape, options);
  expectDType('resize_bilinear_backward', dy, ['f32']);
  return runPlan(rt, plan, [dy], `resize_bilinear_backward(${dy.name})`);
}

/** Nearest resize of an NCHW tensor of any 32-bit dtype: label maps (PyTorch's mode='nearest'). */
export async function resizeNearest(rt: KernelRuntime, x: Tensor, options: ResizeOptions): Promise<Tensor> {
  return runPlan(rt, resizePlan('nearest', x.shape, options, x.dtype), [x], `resize_nearest(${x.name})`);
}

/** One axis's bilinear taps of output index d, as PyTorch computes them (source index clamped at 0). */
export function bilinearTap(d: number, scale: number, inSize: number): { i0: number; i1: number; w0: number; w1: number } {
  const src = Math.max(scale * (d + 0.5) - 0.5, 0);
  const i0 = Math.min(Math.floor(src), inSize - 1);
  const i1 = Math.min(i0 + 1, inSize - 1);
  const w1 = Math.min(Math.max(src - i0, 0), 1);
  return { i0, i1, w0: 1 - w1, w1 };
}

/** out[plane, y, x] += sum of taps of x[plane] (f64); or the transpose, scattering dy into dx when `backward`. */
export function bilinearAccumulate(x: Float64Array, out: Float64Array, g: ResizeGeometry, backward: boolean, outPlaneStride?: number, outOffset = 0): void {
  const tapsX = Array.from({ length: g.outW }, (_, d) => bilinearTap(d, g.scaleW, g.inW));
  const inPlane = g.inH * g.inW;
  const outPlane = g.outH * g.outW;
  for (let plane = 0; plane < g.planes; plane++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const ty = bilinearTap(oy, g.scaleH, g.inH);
      for (let ox = 0; ox < g.outW; ox++) {
        const tx = tapsX[ox]!;
        const taps: [number, number][] = [
          [ty.i0 * g.inW + tx.i0, ty.w0 * tx.w0],
          [ty.i0 * g.inW + tx.i1, ty.w0 * tx.w1],
          [ty.i1 * g.inW + tx.i0, ty.w1 * tx.w0],
          [ty.i1 * g.inW + tx.i1, ty.w1 * tx.w1],
        ];
        const o = plane * outPlane + oy * g.outW + ox;
        for (const [i, w] of taps) {
          if (backward) out[plane * (outPlaneStride ?? inPlane) + outOffset + i]! += w * x[o]!;
          else out[o]! += w * x[plane * inPlane + i]!;
        }
      }
    }
  }
}

/** CPU reference of resizeBilinear (float64 arithmetic on PyTorch's f32 source steps). */
export function resizeBilinearReference(x: HostTensor, options: ResizeOptions): HostTensor {
  const g = resizeGeometry('resize_bilinear', x.shape, options);
  const data = new Float64Array(g.planes * g.outH * g.outW);
  bilinearAccumulate(x.data, data, g, false);
  return { shape: [x.shape[0]!, x.shape[1]!, g.outH, g.outW], data };
}

/** CPU reference of the bilinear resize's input gradient (a scatter). */
export function resizeBilinearBackwardReference(inputShape: Shape, dy: HostTensor, options: ResizeOptions): HostTensor {
  const g = resizeGeometry('resize_bilinear_backward', inputShape, options);
  const data = new Float64Array(g.planes * g.inH * g.inW);
  bilinearAccumulate(dy.data, data, g, true);
  return { shape: [...inputShape], data };
}

/** CPU reference of resizeNearest: source index floor(d * scale) with PyTorch's f32 rounding. */
export function resizeNearestReference(x: HostTensor, options: ResizeOptions): HostTensor {
  const g = resizeGeometry('resize_nearest', x.shape, options);
  const src = (d: number, scale: number, size: number) => Math.min(Math.floor(Math.fround(d * scale)), size - 1);
  const data = new Float64Array(g.planes * g.outH * g.outW);
  let o = 0;
  for (let plane = 0; plane < g.planes; plane++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const row = (plane * g.inH + src(oy, g.scaleH, g.inH)) * g.inW;
      for (let ox = 0; ox < g.outW; ox++) data[o++] = x.data[row + src(ox, g.scaleW, g.inW)]!;
    }
  }
  return { shape: [x.shape[0]!, x.shape[1]!, g.outH, g.outW], data };
}
