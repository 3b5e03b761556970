/** Reductions (sum, mean, max) over any set of axes (shaders/reduce.wgsl). */
import { ShapeError } from '../errors.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { shaderSource } from './shaders.js';
import { formatShape, normalizeAxes, sizeOf, stridesOf, type Shape } from './shape.js';
import { expectDType, type Tensor } from './tensor.js';
import { transpose } from './transpose.js';

export type ReduceOp = 'sum' | 'mean' | 'max';
const OP_CODES: Record<ReduceOp, number> = { sum: 0, mean: 1, max: 2 };
const WORKGROUP_SIZE = 64;

export interface ReduceOptions {
  /** Keep reduced axes as size 1 (default false). */
  keepDims?: boolean;
}

/** Output shape of reducing `axes` of `shape`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Reduce `x` over `axes` (all axes when omitted). */
export async function reduce(
  rt: KernelRuntime,
  op: ReduceOp,
  x: Tensor,
  axes?: readonly number[],
  options: ReduceOptions = {},
): Promise<Tensor> {
  if (!(op in OP_CODES)) throw new ShapeError(`reduce: unknown op '${op}' (known: sum, mean, max)`);
  expectDType(op, x, ['f32']);
  const rank = x.shape.length;
  const ax = normalizeAxes(op, axes ?? x.shape.map((_, i) => i), rank).sort((p, q) => p - q);
  const outShape = reducedShape(x.shape, ax, !!options.keepDims);
  const reduceSize = ax.reduce((s, a) => s * x.shape[a]!, 1);
  if (op === 'max' && reduceSize === 0 && sizeOf(outShape) > 0) {
    throw new ShapeError(`max: cannot reduce over an empty axis (shape ${formatShape(x.shape)}, axes [${ax.join(', ')}])`);
  }
  // The kernel reduces the middle axis of [outer, reduce, inner]: that needs the reduced axes to be one
  // contiguous run. Otherwise move them to the end first (one permute).
  const contiguous = ax.every((a, i) => i === 0 || a === ax[i - 1]! + 1);
  let input = x;
  let outer: number;
  let inner: number;
  if (contiguous && ax.length > 0) {
    outer = sizeOf(x.shape.slice(0, ax[0]));
    inner = sizeOf(x.shape.slice(ax[ax.length - 1]! + 1));
  } else {
    const kept = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
    input = await transpose(rt, x, [...kept, ...ax]);
    outer = sizeOf(kept.map((i) => x.shape[i]!));
    inner = 1;
  }
  const y = rt.empty(outShape, 'f32', `${op}(${x.name})`);
  const rows = inner === 1;
  const program = await rt.program('reduce', shaderSource('reduce'), rows ? 'reduce_rows' : 'reduce_strided', {
    OP: OP_CODES[op],
    WORKGROUP_SIZE,
  });
  rt.dispatch(program, {
    bindings: { x: input, y },
    uniforms: { outer, reduce: reduceSize, inner },
    workgroups: rows ? grid1d(outer) : grid1d(Math.ceil((outer * inner) / WORKGROUP_SIZE)),
  });
  if (input !== x) {
    await rt.sync();
    input.destroy();
  }
  return y;
}

/** CPU reference of reduce(). */
export function reduceReference(op: ReduceOp, x: HostTensor, axes?: readonly number[], options: ReduceOptions = {}): HostTensor {
  const rank = x.shape.length;
  const ax = normalizeAxes(op, axes ?? x.shape.map((_, i) => i), rank);
  const outShapeKeep = reducedShape(x.shape, ax, true);
  const outStrides = stridesOf(outShapeKeep);
  const n = sizeOf(outShapeKeep);
  const acc = new Float64Array(n).fill(op === 'max' ? -Infinity : 0);
  const inStrides = stridesOf(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(i / inStrides[d]!) % x.shape[d]!;
      if (!ax.includes(d)) o += c * outStrides[d]!;
    }
    acc[o] = op === 'max' ? Math.max(acc[o]!, x.data[i]!) : acc[o]! + x.data[i]!;
  }
  const count = ax.reduce((s, a) => s * x.shape[a]!, 1);
  if (op === 'mean') for (let i = 0; i < n; i++) acc[i] = acc[i]! / count;
  return { shape: reducedShape(x.shape, ax, !!options.keepDims), data: acc };
}
