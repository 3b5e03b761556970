/** Elementwise unary ops (shaders/unary.wgsl), one pipeline per op via the OP override. */
import { ShapeError } from '../../errors.js';
import { runPlan, singleLaunch, type KernelPlan } from '../launch.js';
import type { HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { sizeOf, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { UNARY_OPS, type UnaryOp } from './ops.js';

const WORKGROUP_SIZE = 256;

export interface UnaryOptions {
  /** The scalar for `scale`. */
  alpha?: number;
}

function specOf(op: UnaryOp) {
  const spec = UNARY_OPS[op];
  if (!spec) throw new ShapeError(`unary: unknown op '${String(op)}' (known: ${Object.keys(UNARY_OPS).join(', ')})`);
  return spec;
}

/** The kernel plan of y = op(x) for an input of this shape. */
export function unaryPlan(op: UnaryOp, shape: Shape, options: UnaryOptions = {}): KernelPlan {
  const spec = specOf(op);
  const n = sizeOf(shape);
  // Four elements per invocation when the size allows it (a quarter of the invocations).
  const vec4 = n % 4 === 0;
  return singleLaunch(
    { shape, dtype: 'f32' },
    {
      shader: 'unary',
      entry: vec4 ? 'main_vec4' : 'main',
      overrides: { OP: spec.code, WORKGROUP_SIZE },
      uniforms: { n, alpha: options.alpha ?? 1 },
      workgroups: grid1d(Math.ceil(n / (vec4 ? 4 : 1) / WORKGROUP_SIZE)),
      bindings: vec4 ? { src4: 'in0', dst4: 'out' } : { src: 'in0', dst: 'out' },
    },
  );
}

/** y = op(x), elementwise. */
export async function unary(rt: KernelRuntime, op: UnaryOp, x: Tensor, options: UnaryOptions = {}): Promise<Tensor> {
  specOf(op);
  expectDType(op, x, ['f32']);
  return runPlan(rt, unaryPlan(op, x.shape, options), [x], `${op}(${x.name})`);
}

/** CPU reference of unary(). */
export function unaryReference(op: UnaryOp, x: HostTensor, options: UnaryOptions = {}): HostTensor {
  const f = UNARY_OPS[op].ref as (v: number, alpha: number) => number;
  const alpha = options.alpha ?? 1;
  return { shape: x.shape, data: x.data.map((v) => f(v, alpha)) };
}
