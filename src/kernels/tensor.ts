/** A GPU tensor: a storage buffer with a shape and a dtype, owned by a KernelRuntime. */
import { DTypeError } from '../errors.js';
import { formatShape, sizeOf, type Shape } from './shape.js';

export type DType = 'f32' | 'i32' | 'u32';
export const DTYPES: readonly DType[] = ['f32', 'i32', 'u32'];
export type TypedArrayOf<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array;

export function typedArrayFor(dtype: DType, buffer: ArrayBuffer): Float32Array | Int32Array | Uint32Array {
  if (dtype === 'f32') return new Float32Array(buffer);
  if (dtype === 'i32') return new Int32Array(buffer);
  return new Uint32Array(buffer);
}

/** Throw a DTypeError unless `dtype` is one this library stores. */
export function checkDType(dtype: string, what: string): asserts dtype is DType {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new DTypeError(`${what}: dtype '${dtype}' is not supported; use one of ${DTYPES.join(', ')}`);
  }
}

/** Throw a DTypeError unless the tensor's dtype is one the op accepts. */
export function expectDType(op: string, t: Tensor, accepted: readonly DType[]): void {
  if (!accepted.includes(t.dtype)) {
    throw new DTypeError(`${op}: input '${t.name}' is ${t.dtype}, but ${op} takes ${accepted.join(' or ')}`);
  }
}

export class Tensor {
  readonly size: number;
  private destroyed = false;
  constructor(
    readonly buffer: GPUBuffer,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly name: string,
  ) {
    this.size = sizeOf(shape);
  }
  /** Bytes of data (the buffer itself may be padded to 4 bytes for empty tensors). */
  get byteLength(): number {
    return this.size * 4;
  }
  get isDestroyed(): boolean {
    return this.destroyed;
  }
  toString(): string {
    return `${this.name}${formatShape(this.shape)}:${this.dtype}`;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.buffer.destroy();
  }
}
