/** Elementwise unary ops (shaders/unary.wgsl), one pipeline per op via the OP override. */
import { ShapeError } from '../../errors.js';
import type { HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { shaderSource } from '../shaders.js';
import { expectDType, type Tensor } from '../tensor.js';
import { UNARY_OPS, type UnaryOp } from './ops.js';

const WORKGROUP_SIZE = 256;

export interface UnaryOptions {
  /** The scalar for `scale`. */
  alpha?: number;
}

/** y = op(x), elementwise. */
export async function unary(rt: KernelRuntime, op: UnaryOp, x: Tensor, options: UnaryOptions = {}): Promise<Tensor> {
  const spec = UNARY_OPS[op];
  if (!spec) throw new ShapeError(`unary: unknown op '${String(op)}' (known: ${Object.keys(UNARY_OPS).join(', ')})`);
  expectDType(op, x, ['f32']);
  const y = rt.empty(x.shape, 'f32', `${op}(${x.name})`);
  // Four elements per invocation when the size allows it (a quarter of the invocations).
  const vec4 = x.size % 4 === 0;
  const program = await rt.program('unary', shaderSource('unary'), vec4 ? 'main_vec4' : 'main', {
    OP: spec.code,
    WORKGROUP_SIZE,
  });
  rt.dispatch(program, {
    bindings: vec4 ? { src4: x, dst4: y } : { src: x, dst: y },
    uniforms: { n: x.size, alpha: options.alpha ?? 1 },
    workgroups: grid1d(Math.ceil(x.size / (vec4 ? 4 : 1) / WORKGROUP_SIZE)),
  });
  return y;
}

/** CPU reference of unary(). */
export function unaryReference(op: UnaryOp, x: HostTensor, options: UnaryOptions = {}): HostTensor {
  const f = UNARY_OPS[op].ref as (v: number, alpha: number) => number;
  const alpha = options.alpha ?? 1;
  return { shape: x.shape, data: x.data.map((v) => f(v, alpha)) };
}
