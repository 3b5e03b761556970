/** Elementwise binary ops with NumPy broadcasting (shaders/binary.wgsl). */
import { ShapeError } from '../../errors.js';
import type { HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { shaderSource } from '../shaders.js';
import { broadcastShapes, broadcastStrides, pack8, sizeOf } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { BINARY_OPS, type BinaryOp } from './ops.js';

const WORKGROUP_SIZE = 256;

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** out = op(a, b), broadcasting a and b against each other. */
export async function binary(rt: KernelRuntime, op: BinaryOp, a: Tensor, b: Tensor): Promise<Tensor> {
  const spec = BINARY_OPS[op];
  if (!spec) throw new ShapeError(`binary: unknown op '${String(op)}' (known: ${Object.keys(BINARY_OPS).join(', ')})`);
  expectDType(op, a, ['f32']);
  expectDType(op, b, ['f32']);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = rt.empty(shape, 'f32', `${op}(${a.name}, ${b.name})`);
  const broadcast = !(sameShape(a.shape, shape) && sameShape(b.shape, shape));
  // Equal shapes and a multiple of 4 elements: four elements per invocation, no index arithmetic.
  const vec4 = !broadcast && out.size % 4 === 0;
  const program = await rt.program('binary', shaderSource('binary'), vec4 ? 'main_vec4' : 'main', {
    OP: spec.code,
    BROADCAST: broadcast,
    WORKGROUP_SIZE,
  });
  rt.dispatch(program, {
    bindings: vec4 ? { lhs4: a, rhs4: b, out4: out } : { lhs: a, rhs: b, out },
    uniforms: {
      n: out.size,
      rank: shape.length,
      out_shape: pack8(shape),
      a_strides: pack8(broadcastStrides(a.shape, shape), 0),
      b_strides: pack8(broadcastStrides(b.shape, shape), 0),
    },
    workgroups: grid1d(Math.ceil(out.size / (vec4 ? 4 : 1) / WORKGROUP_SIZE)),
  });
  return out;
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
