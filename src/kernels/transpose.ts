/**
 * Permute the axes of a tensor, or broadcast it to a larger shape: both are a strided gather
 * (shaders/transpose.wgsl) with the input strides arranged on the host. Works for every 32-bit dtype.
 */
import { ShapeError } from '../errors.js';
import { runPlan, singleLaunch, type KernelPlan } from './launch.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { broadcastShapes, broadcastStrides, collapseStrided, formatShape, grid3, pack8, sizeOf, stridesOf, type Shape } from './shape.js';
import type { DType, Tensor } from './tensor.js';

const WORKGROUP_SIZE = 256;

/** Throw unless `perm` is a permutation of 0..rank-1. */
export function checkPermutation(shape: Shape, perm: readonly number[]): void {
  const ok = perm.length === shape.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
  if (!ok) {
    throw new ShapeError(`transpose: [${perm.join(', ')}] is not a permutation of the ${shape.length} axes of [${shape.join(', ')}]`);
  }
}

/** Output axis d reads input axis perm[d]; defaults to reversing the axes. */
export function defaultPermutation(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

/** Invocations along x of gather_grid (its @workgroup_size). */
const GRID_WORKGROUP_X = 64;

function gatherPlan(outShape: Shape, inStrides: readonly number[], dtype: DType): KernelPlan {
  const n = sizeOf(outShape);
  const grid = grid3(collapseStrided(outShape, [stridesOf(outShape), inStrides]), GRID_WORKGROUP_X / 2, GRID_WORKGROUP_X);
  if (grid) {
    const [outer, middle, inner] = grid.shape as [number, number, number];
    return singleLaunch(
      { shape: outShape, dtype },
      {
        shader: 'transpose',
        entry: 'gather_grid',
        overrides: {},
        uniforms: { n, rank: 3, out_shape: pack8(grid.shape), in_strides: pack8(grid.strides[1]!, 0) },
        workgroups: [Math.ceil(inner / GRID_WORKGROUP_X), middle, outer],
        bindings: { x: 'in0', y: 'out' },
      },
    );
  }
  return singleLaunch(
    { shape: outShape, dtype },
    {
      shader: 'transpose',
      entry: 'main',
      overrides: { WORKGROUP_SIZE },
      uniforms: { n, rank: outShape.length, out_shape: pack8(outShape), in_strides: pack8(inStrides, 0) },
      workgroups: grid1d(Math.ceil(n / WORKGROUP_SIZE)),
      bindings: { x: 'in0', y: 'out' },
    },
  );
}

/** Is `perm` the identity on leading axes and a swap of the last two (a batch of 2-D transposes)? */
function swapsLastTwo(perm: readonly number[]): boolean {
  const r = perm.length;
  return r >= 2 && perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
}

/** The kernel plan of x.permute(perm). */
export function transposePlan(shape: Shape, perm: readonly number[] = defaultPermutation(shape.length), dtype: DType = 'f32'): KernelPlan {
  checkPermutation(shape, perm);
  const batch = sizeOf(shape.slice(0, -2));
  if (swapsLastTwo(perm) && batch <= 65535) {
    const rows = shape[shape.length - 2]!;
    const cols = shape[shape.length - 1]!;
    return singleLaunch(
      { shape: perm.map((a) => shape[a]!), dtype },
      {
        shader: 'transpose',
        entry: 'transpose2d',
        overrides: {},
        uniforms: { rows, cols },
        workgroups: [Math.ceil(cols / 16), Math.ceil(rows / 16), batch],
        bindings: { x: 'in0', y: 'out' },
      },
    );
  }
  const inStrides = stridesOf(shape);
  return gatherPlan(
    perm.map((a) => shape[a]!),
    perm.map((a) => inStrides[a]!),
    dtype,
  );
}

/** The kernel plan of broadcasting a tensor to `target` (NumPy rules: size-1 and missing leading axes repeat). */
export function broadcastToPlan(shape: Shape, target: Shape, dtype: DType = 'f32'): KernelPlan {
  const out = broadcastShapes('broadcastTo', shape, target);
  if (out.length !== target.length || out.some((d, i) => d !== target[i])) {
    throw new ShapeError(`broadcastTo: ${formatShape(shape)} cannot be broadcast to ${formatShape(target)}`);
  }
  return gatherPlan(target, broadcastStrides(shape, target), dtype);
}

/** y = x.permute(perm): output axis d is input axis perm[d]. Defaults to reversing the axes. */
export async function transpose(rt: KernelRuntime, x: Tensor, perm?: readonly number[]): Promise<Tensor> {
  return runPlan(rt, transposePlan(x.shape, perm, x.dtype), [x], `transpose(${x.name})`);
}

/** y = x broadcast to `target`. */
export async function broadcastTo(rt: KernelRuntime, x: Tensor, target: Shape): Promise<Tensor> {
  return runPlan(rt, broadcastToPlan(x.shape, target, x.dtype), [x], `broadcastTo(${x.name})`);
}

/** CPU reference of transpose(). */
export function transposeReference(x: HostTensor, perm?: readonly number[]): HostTensor {
  const p = perm ?? defaultPermutation(x.shape.length);
  checkPermutation(x.shape, p);
  const outShape = p.map((a) => x.shape[a]!);
  const inStrides = stridesOf(x.shape);
  return gatherReference(x, outShape, p.map((a) => inStrides[a]!));
}

/** CPU reference of broadcastTo(). */
export function broadcastToReference(x: HostTensor, target: Shape): HostTensor {
  return gatherReference(x, target, broadcastStrides(x.shape, target));
}

function gatherReference(x: HostTensor, outShape: Shape, inStrides: readonly number[]): HostTensor {
  const outStrides = stridesOf(outShape);
  const n = sizeOf(outShape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < outShape.length; d++) src += (Math.floor(i / outStrides[d]!) % outShape[d]!) * inStrides[d]!;
    data[i] = x.data[src]!;
  }
  return { shape: [...outShape], data };
}
