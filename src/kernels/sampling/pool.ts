/** 2-D max and average pooling over NCHW, forward and backward, and global average pooling (shaders/pool.wgsl). */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan, type Slot } from '../launch.js';
import type { HostTensor } from '../reference.js';
import { reducePlan, reduceReference } from '../reduce.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { expectNCHW, pairAttr, planeLaunches } from './grid.js';

export type PoolKind = 'max' | 'avg';

/** PyTorch-style pooling options; kernel is required, stride defaults to kernel, padding to 0. */
export interface PoolOptions {
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  /** Average pooling only: count padded zeros in the divisor (PyTorch's default, true). */
  countIncludePad?: boolean;
}

/** Resolved pooling geometry of one call. */
export interface PoolGeometry {
  n: number;
  c: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  k: [number, number];
  s: [number, number];
  p: [number, number];
  countIncludePad: boolean;
}

/** Validate the options against an NCHW input shape and work out the output size (floor mode). */
export function poolGeometry(op: string, shape: readonly number[], options: PoolOptions): PoolGeometry {
  const [n, c, inH, inW] = expectNCHW(op, shape);
  const k = pairAttr(op, 'kernel', options.kernel, [0, 0], 1);
  const s = pairAttr(op, 'stride', options.stride, k, 1);
  const p = pairAttr(op, 'padding', options.padding, [0, 0], 0);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    throw new ShapeError(`${op}: padding [${p.join(', ')}] must be at most half the kernel [${k.join(', ')}] (as in PyTorch)`);
  }
  if (k[0] > inH + 2 * p[0] || k[1] > inW + 2 * p[1]) {
    throw new ShapeError(
      `${op}: kernel [${k.join(', ')}] is larger than the padded input ` +
        `[${inH + 2 * p[0]}, ${inW + 2 * p[1]}] (input ${formatShape(shape)}, padding [${p.join(', ')}])`,
    );
  }
  const outH = Math.floor((inH + 2 * p[0] - k[0]) / s[0]) + 1;
  const outW = Math.floor((inW + 2 * p[1] - k[1]) / s[1]) + 1;
  return { n, c, inH, inW, outH, outW, k, s, p, countIncludePad: options.countIncludePad ?? true };
}

function poolUniforms(g: PoolGeometry): Record<string, number> {
  return {
    in_h: g.inH,
    in_w: g.inW,
    out_h: g.outH,
    out_w: g.outW,
    k_h: g.k[0],
    k_w: g.k[1],
    s_h: g.s[0],
    s_w: g.s[1],
    p_h: g.p[0],
    p_w: g.p[1],
    planes: g.n * g.c,
    count_include_pad: g.countIncludePad ? 1 : 0,
  };
}

/** The kernel plan of max or average pooling of an NCHW tensor. */
export function pool2dPlan(kind: PoolKind, shape: readonly number[], options: PoolOptions): KernelPlan {
  const g = poolGeometry(`${kind}_pool2d`, shape, options);
  const launches = planeLaunches(
    { shader: 'pool', entry: `${kind}_pool_forward`, uniforms: poolUniforms(g), bindings: { input: 'in0', output: 'out' } },
    g.outW,
    g.outH,
    g.n * g.c,
  );
  return { out: { shape: [g.n, g.c, g.outH, g.outW], dtype: 'f32' }, temps: [], launches };
}

/**
 * The kernel plan of the input gradient of pooling: max takes (x, dy) and recomputes each window's argmax;
 * avg takes (dy) only, with the input shape given.
 */
export function pool2dBackwardPlan(kind: PoolKind, inputShape: readonly number[], dyShape: readonly number[], options: PoolOptions): KernelPlan {
  const op = `${kind}_pool2d_backward`;
  const g = poolGeometry(op, inputShape, options);
  const want = [g.n, g.c, g.outH, g.outW];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`${op}: dy must have the pooled shape ${formatShape(want)} of input ${formatShape(inputShape)}, got ${formatShape(dyShape)}`);
  }
  const bindings: Record<string, Slot> = kind === 'max' ? { input: 'in0', grad_out: 'in1', output: 'out' } : { grad_out: 'in0', output: 'out' };
  const launches = planeLaunches(
    { shader: 'pool', entry: `${kind}_pool_backward`, uniforms: poolUniforms(g), bindings },
    g.inW,
    g.inH,
    g.n * g.c,
  );
  return { out: { shape: [...inputShape], dtype: 'f32' }, temps: [], launches };
}

/** The kernel plan of global average pooling: NCHW -> [N, C, 1, 1] (the mean reduction over H and W). */
export function globalAvgPool2dPlan(shape: readonly number[]): KernelPlan {
  expectNCHW('global_avg_pool2d', shape);
  return reducePlan('mean', shape, [2, 3], { keepDims: true });
}

/** Max pooling of an NCHW tensor. */
export async function maxPool2d(rt: KernelRuntime, x: Tensor, options: PoolOptions): Promise<Tensor> {
  const plan = pool2dPlan('max', x.shape, options);
  expectDType('max_pool2d', x, ['f32']);
  return runPlan(rt, plan, [x], `max_pool2d(${x.name})`);
}

/** Average pooling of an NCHW tensor. */
export async function avgPool2d(rt: KernelRuntime, x: Tensor, options: PoolOptions): Promise<Tensor> {
  const plan = pool2dPlan('avg', x.shape, options);
  expectDType('avg_pool2d', x, ['f32']);
  return runPlan(rt, plan, [x], `avg_pool2d(${x.name})`);
}

/** Global average pooling: NCHW -> [N, C, 1, 1]. */
export async function globalAvgPool2d(rt: KernelRuntime, x: Tensor): Promise<Tensor> {
  const plan = globalAvgPool2dPlan(x.shape);
  expectDType('global_avg_pool2d', x, ['f32']);
  return runPlan(rt, plan, [x], `global_avg_pool2d(${x.name})`);
}

/** Visit every in-bounds element of window (oy, ox) of plane `plane`: f(flat index into x). */
function forWindow(g: PoolGeometry, plane: number, oy: number, ox: number, f: (index: number) => void): void {
  const y0 = oy * g.s[0] - g.p[0];
  const x0 = ox * g.s[1] - g.p[1];
  for (let y = Math.max(y0, 0); y < Math.min(y0 + g.k[0], g.inH); y++) {
    for (let x = Math.max(x0, 0); x < Math.min(x0 + g.k[1], g.inW); x++) f((plane * g.inH + y) * g.inW + x);
  }
}

function divisor(g: PoolGeometry, oy: number, ox: number): number {
  if (g.countIncludePad) return g.k[0] * g.k[1];
  let count = 0;
  forWindow(g, 0, oy, ox, () => count++);
  return count;
}

/** Run f(plane, oy, ox, outIndex) over every output element. */
function forOutputs(g: PoolGeometry, f: (plane: number, oy: number, ox: number, o: number) => void): void {
  let o = 0;
  for (let plane = 0; plane < g.n * g.c; plane++) {
    for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) f(plane, oy, ox, o++);
  }
}

/** First maximum of a window in row-major order (PyTorch's tie rule). */
function argmax(g: PoolGeometry, x: Float64Array, plane: number, oy: number, ox: number): number {
  let best = -1;
  forWindow(g, plane, oy, ox, (i) => {
    if (best < 0 || x[i]! > x[best]!) best = i;
  });
  return best;
}

/** CPU reference of pool2d. */
export function pool2dReference(kind: PoolKind, x: HostTensor, options: PoolOptions): HostTensor {
  const g = poolGeometry(`${kind}_pool2d`, x.shape, options);
  const data = new Float64Array(g.n * g.c * g.outH * g.outW);
  forOutputs(g, (plane, oy, ox, o) => {
    if (kind === 'max') {
      data[o] = x.data[argmax(g, x.data, plane, oy, ox)]!;
    } else {
      let s = 0;
      forWindow(g, plane, oy, ox, (i) => (s += x.data[i]!));
      data[o] = s / divisor(g, oy, ox);
    }
  });
  return { shape: [g.n, g.c, g.outH, g.outW], data };
}

/** CPU reference of pool2d's input gradient (a scatter, the obvious way); `x` is used by max only. */
export function pool2dBackwardReference(kind: PoolKind, inputShape: readonly number[], x: HostTensor | null, dy: HostTensor, options: PoolOptions): HostTensor {
  const g = poolGeometry(`${kind}_pool2d_backward`, inputShape, options);
  const data = new Float64Array(g.n * g.c * g.inH * g.inW);
  forOutputs(g, (plane, oy, ox, o) => {
    if (kind === 'max') {
      data[argmax(g, x!.data, plane, oy, ox)]! += dy.data[o]!;
    } else {
      const share = dy.data[o]! / divisor(g, oy, ox);
      forWindow(g, plane, oy, ox, (i) => (data[i]! += share));
    }
  });
  return { shape: [...inputShape], data };
}

/** CPU reference of globalAvgPool2d. */
export function globalAvgPool2dReference(x: HostTensor): HostTensor {
  expectNCHW('global_avg_pool2d', x.shape);
  return reduceReference('mean', x, [2, 3], { keepDims: true });
}
