/** Permute the axes of a tensor (shaders/transpose.wgsl); works for every 32-bit dtype. */
import { ShapeError } from '../errors.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { shaderSource } from './shaders.js';
import { pack8, sizeOf, stridesOf, type Shape } from './shape.js';
import type { Tensor } from './tensor.js';

const WORKGROUP_SIZE = 256;

/** Throw unless `perm` is a permutation of 0..rank-1. */
export function checkPermutation(shape: Shape, perm: readonly number[]): void {
  const ok = perm.length === shape.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
  if (!ok) {
    throw new ShapeError(`transpose: [${perm.join(', ')}] is not a permutation of the ${shape.length} axes of [${shape.join(', ')}]`);
  }
}

/** y = x.permute(perm): output axis d is input axis perm[d]. Defaults to reversing the axes. */
export async function transpose(rt: KernelRuntime, x: Tensor, perm?: readonly number[]): Promise<Tensor> {
  const p = perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  checkPermutation(x.shape, p);
  const outShape = p.map((a) => x.shape[a]!);
  const inStrides = stridesOf(x.shape);
  const y = rt.empty(outShape, x.dtype, `transpose(${x.name})`);
  const program = await rt.program('transpose', shaderSource('transpose'), 'main', { WORKGROUP_SIZE });
  rt.dispatch(program, {
    bindings: { x, y },
    uniforms: {
      n: y.size,
      rank: outShape.length,
      out_shape: pack8(outShape),
      in_strides: pack8(p.map((a) => inStrides[a]!), 0),
    },
    workgroups: grid1d(Math.ceil(y.size / WORKGROUP_SIZE)),
  });
  return y;
}

/** CPU reference of transpose(). */
export function transposeReference(x: HostTensor, perm?: readonly number[]): HostTensor {
  const p = perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  checkPermutation(x.shape, p);
  const outShape = p.map((a) => x.shape[a]!);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(outShape);
  const n = sizeOf(outShape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < outShape.length; d++) {
      src += (Math.floor(i / outStrides[d]!) % outShape[d]!) * inStrides[p[d]!]!;
    }
    data[i] = x.data[src]!;
  }
  return { shape: outShape, data };
}
