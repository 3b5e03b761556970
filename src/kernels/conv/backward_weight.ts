/**
 * conv2d backward-weight: dw[o, c, kh, kw] = sum over N*outH*outW of dy * x. That reduction is long
 * (16384 terms for 128x128), so it is split over the N*outH rows: each split writes a partial sum into
 * a temporary and one reduce launch (shaders/reduce.wgsl) adds the splits.
 */
import { ShapeError } from '../../errors.js';
import { renameSlots, runPlan, type KernelLaunch, type KernelPlan, type Slot } from '../launch.js';
import { matmulKernelPlan, matmulTarget } from '../matmul/matmul.js';
import type { MatmulTarget } from '../matmul/select.js';
import { reducePlan } from '../reduce.js';
import type { HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { forEachConvTap } from './forward.js';
import { checkBindable, convGeometry, convUniforms, GUARANTEED_BINDING_BYTES, type Conv2dAttrs, type ConvGeometry } from './geometry.js';

const WG = 64;
/** Terms one invocation sums before the reduction is split, and invocations wanted for 2+ cores. */
const TERMS_PER_SPLIT = 4096;
const MIN_INVOCATIONS = 8192;

export interface BackwardWeightOptions extends Conv2dAttrs {
  /** [kH, kW] of the weight (the shapes of x and dy do not determine it). */
  kernelSize: readonly number[];
}

/** Geometry of the forward conv whose weight gradient this is; checks dy against it. */
export function backwardWeightGeometry(op: string, xShape: Shape, dyShape: Shape, options: BackwardWeightOptions): ConvGeometry {
  const k = options.kernelSize;
  if (!Array.isArray(k) || k.length !== 2) throw new ShapeError(`${op}: kernelSize must be [kH, kW], got ${JSON.stringify(k)}`);
  if (xShape.length !== 4 || dyShape.length !== 4) {
    throw new ShapeError(`${op}: x ${formatShape(xShape)} and dy ${formatShape(dyShape)} must both be 4-D NCHW`);
  }
  const groups = options.groups ?? 1;
  const wShape = [dyShape[1]!, xShape[1]! / groups, k[0]!, k[1]!];
  if (!Number.isInteger(wShape[1])) {
    throw new ShapeError(`${op}: groups=${groups} must divide the input channels (${xShape[1]})`);
  }
  const g = convGeometry(op, xShape, wShape, options);
  const want = [g.n, g.o, g.outH, g.outW];
  if (want.some((d, i) => d !== dyShape[i])) {
    throw new ShapeError(`${op}: dy must have shape ${formatShape(want)} (the conv of ${formatShape(xShape)}), got ${formatShape(dyShape)}`);
  }
  return g;
}

/** How many splits the N*outH rows get: enough that no invocation sums more than ~TERMS_PER_SPLIT terms. */
export function weightSplits(g: ConvGeometry): number {
  const rows = g.n * g.outH;
  const weightSize = g.o * g.groupC * g.kH * g.kW;
  const byLength = Math.ceil((rows * g.outW) / TERMS_PER_SPLIT);
  const byParallelism = Math.ceil(MIN_INVOCATIONS / weightSize);
  return Math.max(1, Math.min(rows, Math.max(byLength, byParallelism)));
}

/**
 * dw as a matmul: unfold x into cols [N, pixels, C*kH*kW] (a temporary), then dw[n] = dy[n] [O, pixels] @
 * cols[n] on the register-tiled matmul kernels, summing over n when N > 1. On lavapipe this ran 718 ms ->
 * ~100 ms for 3x3 64->64 at 128x128. Used for one group when cols fit a binding and C*kH*kW % 4 == 0 (the
 * fast matmul kernels read B as vec4 rows).
 */
function im2colPlan(op: string, g: ConvGeometry, target: MatmulTarget): KernelPlan | null {
  const pixels = g.outH * g.outW;
  const ck = g.c * g.kH * g.kW;
  if (g.groups !== 1 || ck % 4 !== 0 || g.n * g.c > 65535 || g.n * pixels * ck * 4 > GUARANTEED_BINDING_BYTES) return null;
  const wShape = [g.o, g.c, g.kH, g.kW];
  const unfold: KernelLaunch = {
    shader: 'conv2d',
    entry: 'conv2d_unfold',
    overrides: { WG_X: 16, WG_Y: 4 },
    uniforms: { ...convUniforms(g), blocks: 0, rows_per_split: 0, weight_size: 0 },
    workgroups: [Math.ceil(g.outW / 16), Math.ceil(g.outH / 4), g.n * g.c],
    bindings: { input: 'in0', output: 'tmp0' },
  };
  const mm = matmulKernelPlan(target, [g.n, g.o, pixels], [g.n, pixels, ck]);
  if (mm.temps.length > 0) return null; // a plan that pre-transposes would need its own temporaries
  const product: Slot = g.n === 1 ? 'out' : 'tmp1';
  const launches: KernelLaunch[] = [unfold, ...renameSlots(mm.launches, { in0: 'in1', in1: 'tmp0', out: product })];
  const temps = [{ shape: [g.n, pixels, ck], dtype: 'f32' as const }];
  if (g.n > 1) {
    const sum = reducePlan('sum', [g.n, g.o * ck], [0]);
    temps.push({ shape: [g.n, g.o, ck], dtype: 'f32' });
    launches.push({ ...sum.launches[0]!, bindings: { x: 'tmp1', y: 'out' } });
  }
  checkBindable(op, { x: [g.n, g.c, g.h, g.w], dy: [g.n, g.o, g.outH, g.outW], cols: [g.n, pixels, ck] });
  return { out: { shape: wShape, dtype: 'f32' }, temps, launches };
}

/** The kernel plan of conv2d_backward_weight for a geometry: in0 = x (the conv's input), in1 = dy. */
export function backwardWeightPlanFor(op: string, g: ConvGeometry, target?: MatmulTarget): KernelPlan {
  const viaMatmul = target ? im2colPlan(op, g, target) : null;
  if (viaMatmul) return viaMatmul;
  const wShape = [g.o, g.groupC, g.kH, g.kW];
  const weightSize = g.o * g.groupC * g.kH * g.kW;
  const rows = g.n * g.outH;
  let splits = weightSplits(g);
  const rowsPerSplit = Math.ceil(rows / splits);
  splits = Math.ceil(rows / rowsPerSplit);
  checkBindable(op, { x: [g.n, g.c, g.h, g.w], dy: [g.n, g.o, g.outH, g.outW], 'partial sums': [splits, ...wShape] });
  const [gx, gy] = grid1d(Math.ceil(weightSize / WG));
  const partial: KernelLaunch = {
    shader: 'conv2d',
    entry: 'conv2d_backward_weight',
    overrides: { WG_X: WG, WG_Y: 1 },
    uniforms: { ...convUniforms(g), blocks: 0, rows_per_split: rowsPerSplit, weight_size: weightSize },
    workgroups: [gx, gy, splits],
    bindings: { input: 'in0', grad_out: 'in1', output: splits === 1 ? 'out' : 'tmp0' },
  };
  if (splits === 1) return { out: { shape: wShape, dtype: 'f32' }, temps: [], launches: [partial] };
  const sum = reducePlan('sum', [splits, weightSize], [0]);
  return {
    out: { shape: wShape, dtype: 'f32' },
    temps: [{ shape: [splits, ...wShape], dtype: 'f32' }],
    launches: [partial, { ...sum.launches[0]!, bindings: { x: 'tmp0', y: 'out' } }],
  };
}

/** The kernel plan of conv2d_backward_weight: dw from x (in0) and dy (in1). */
export function conv2dBackwardWeightPlan(xShape: Shape, dyShape: Shape, options: BackwardWeightOptions, target?: MatmulTarget): KernelPlan {
  const op = 'conv2d_backward_weight';
  return backwardWeightPlanFor(op, backwardWeightGeometry(op, xShape, dyShape, options), target);
}

/** dw of conv2d(x, w) with w of spatial size `options.kernelSize`, given dy. */
export async function conv2dBackwardWeight(rt: KernelRuntime, x: Tensor, dy: Tensor, options: BackwardWeightOptions): Promise<Tensor> {
  expectDType('conv2d_backward_weight', x, ['f32']);
  expectDType('conv2d_backward_weight', dy, ['f32']);
  const target = matmulTarget(rt);
  return runPlan(rt, conv2dBackwardWeightPlan(x.shape, dy.shape, options, target), [x, dy], `conv2d_backward_weight(${x.name})`);
}

/** CPU reference of the backward-weight sum for a geometry (float64). */
export function backwardWeightReferenceFor(g: ConvGeometry, x: HostTensor, dy: HostTensor): HostTensor {
  const dw = new Float64Array(g.o * g.groupC * g.kH * g.kW);
  forEachConvTap(g, (yi, xi, wi) => (dw[wi]! += dy.data[yi]! * x.data[xi]!));
  return { shape: [g.o, g.groupC, g.kH, g.kW], data: dw };
}

/** CPU reference of conv2dBackwardWeight() (float64). */
export function conv2dBackwardWeightReference(x: HostTensor, dy: HostTensor, options: BackwardWeightOptions): HostTensor {
  return backwardWeightReferenceFor(backwardWeightGeometry('conv2d_backward_weight', x.shape, dy.shape, options), x, dy);
}
