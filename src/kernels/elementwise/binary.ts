/** Elementwise binary ops with NumPy broadcasting (shaders/binary.wgsl). */
import { ShapeError } from '../../errors.js';
import { runPlan, singleLaunch, type KernelPlan } from '../launch.js';
import type { HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { broadcastShapes, broadcastStrides, collapseStrided, grid3, pack8, sizeOf, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { BINARY_OPS, type BinaryOp } from './ops.js';

const WORKGROUP_SIZE = 256;
/** Invocations along x of the grid entries (their @workgroup_size). */
const GRID_WORKGROUP_X = 64;

const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

function specOf(op: BinaryOp) {
  const spec = BINARY_OPS[op];
  if (!spec) throw new ShapeError(`binary: unknown op '${String(op)}' (known: ${Object.keys(BINARY_OPS).join(', ')})`);
  return spec;
}

/** The kernel plan of out = op(a, b) for operands of these shapes (throws ShapeError if they do not broadcast). */
export function binaryPlan(op: BinaryOp, aShape: Shape, bShape: Shape): KernelPlan {
  const spec = specOf(op);
  const shape = broadcastShapes(op, aShape, bShape);
  const n = sizeOf(shape);
  const broadcast = !(sameShape(aShape, shape) && sameShape(bShape, shape));
  if (broadcast) {
    const collapsed = collapseStrided(shape, [broadcastStrides(aShape, shape), broadcastStrides(bShape, shape)]);
    // The grid's x bound is checked at one element an invocation (the scalar entry), the most workgroups.
    const grid = grid3(collapsed, GRID_WORKGROUP_X / 2, GRID_WORKGROUP_X);
    if (grid) return gridPlan(spec.code, shape, grid);
  }
  // Equal shapes and a multiple of 4 elements: four elements per invocation, no index arithmetic.
  const vec4 = !broadcast && n % 4 === 0;
  return singleLaunch(
    { shape, dtype: 'f32' },
    {
      shader: 'binary',
      entry: vec4 ? 'main_vec4' : 'main',
      overrides: { OP: spec.code, BROADCAST: broadcast, WORKGROUP_SIZE },
      uniforms: {
        n,
        rank: shape.length,
        out_shape: pack8(shape),
        a_strides: pack8(broadcastStrides(aShape, shape), 0),
        b_strides: pack8(broadcastStrides(bShape, shape), 0),
      },
      workgroups: grid1d(Math.ceil(n / (vec4 ? 4 : 1) / WORKGROUP_SIZE)),
      bindings: vec4 ? { lhs4: 'in0', rhs4: 'in1', out4: 'out' } : { lhs: 'in0', rhs: 'in1', out: 'out' },
    },
  );
}

/** A broadcast collapsed to [outer, middle, inner], addressed by the dispatch grid (four inner elements per invocation where they divide). */
function gridPlan(code: number, shape: Shape, grid: { shape: number[]; strides: number[][] }): KernelPlan {
  const [outer, middle, inner] = grid.shape as [number, number, number];
  const vec4 = inner % 4 === 0;
  return singleLaunch(
    { shape, dtype: 'f32' },
    {
      shader: 'binary',
      entry: vec4 ? 'main_grid_vec4' : 'main_grid',
      overrides: { OP: code },
      uniforms: { n: sizeOf(shape), rank: 3, out_shape: pack8(grid.shape), a_strides: pack8(grid.strides[0]!, 0), b_strides: pack8(grid.strides[1]!, 0) },
      workgroups: [Math.ceil(inner / (vec4 ? 4 : 1) / GRID_WORKGROUP_X), middle, outer],
      bindings: vec4 ? { lhs: 'in0', rhs: 'in1', out4: 'out' } : { lhs: 'in0', rhs: 'in1', out: 'out' },
    },
  );
}

/** out = op(a, b), broadcasting a and b against each other. */
export async function binary(rt: KernelRuntime, op: BinaryOp, a: Tensor, b: Tensor): Promise<Tensor> {
  specOf(op);
  expectDType(op, a, ['f32']);
  expectDType(op, b, ['f32']);
  return runPlan(rt, binaryPlan(op, a.shape, b.shape), [a, b], `${op}(${a.name}, ${b.name})`);
}

/** CPU reference of binary(). */
export function binaryReference(op: BinaryOp, a: HostTensor, b: HostTensor): HostTensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const n = sizeOf(shape);
  const data = new Float64Array(n);
  const f = BINARY_OPS[op].ref;
  for (let i = 0; i < n; i++) {
    let rest = i;
    let ia = 0;
    let ib = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      const c = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      ia += c * sa[d]!;
      ib += c * sb[d]!;
    }
    data[i] = f(a.data[ia]!, b.data[ib]!);
  }
  return { shape, data };
}
