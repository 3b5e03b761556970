/**
 * Safetensors element types: their sizes, and the conversion between little-endian file bytes and
 * JS typed arrays. Pure (no Node built-ins), so it runs in a browser bundle too.
 */

/** Dtypes langseg writes. F16 is written from a Float32Array, each value rounded to the nearest half. */
export type WritableDType = 'F32' | 'F16' | 'I32' | 'U32';

/** Dtypes langseg reads. F16 and BF16 widen to Float32Array; I64 becomes a BigInt64Array. */
export type ReadableDType = WritableDType | 'BF16' | 'I64' | 'U8';

/** Typed arrays langseg writes from. */
export type WritableData = Float32Array | Int32Array | Uint32Array;

/** A tensor to write: C-order data whose length is the product of its shape. */
export interface TensorToWrite {
  dtype: WritableDType;
  shape: readonly number[];
  data: WritableData;
}

/** A tensor read from a file, its data copied out of the file's bytes. */
export type DecodedTensor =
  | { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; data: Float32Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'U32'; shape: number[]; data: Uint32Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array }
  | { dtype: 'U8'; shape: number[]; data: Uint8Array };

/** Bytes per element of each readable dtype, as the safetensors spec defines them. */
export const DTYPE_BYTES: Readonly<Record<ReadableDType, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  I64: 8,
  U8: 1,
};

/**
 * Rank of each dtype in the reference implementation's `Dtype` enum, which lists dtypes in
 * increasing alignment. Its writer sorts tensors by descending rank, then by name, so wide
 * elements come first and stay aligned; we do the same to write byte-identical files.
 */
export const DTYPE_RANK: Readonly<Record<ReadableDType, number>> = {
  U8: 1,
  F16: 7,
  BF16: 8,
  I32: 9,
  U32: 10,
  F32: 11,
  I64: 13,
};

const WRITABLE_ARRAY = {
  F32: Float32Array,
  F16: Float32Array,
  I32: Int32Array,
  U32: Uint32Array,
} as const;

/** True when `value` names a dtype langseg can read. */
export function isReadableDType(value: unknown): value is ReadableDType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

/** True when `value` names a dtype langseg can write. */
export function isWritableDType(value: unknown): value is WritableDType {
  return typeof value === 'string' && Object.hasOwn(WRITABLE_ARRAY, value);
}

/** True when `data` is the typed array that holds `dtype` (Float32Array for F32, ...). */
export function dataMatchesDType(dtype: WritableDType, data: unknown): boolean {
  return data instanceof WRITABLE_ARRAY[dtype];
}

// Files are little-endian; on a little-endian host (every browser and Node platform in practice)
// whole tensors are copied at once, and a big-endian host falls back to per-element DataView reads.
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of a tensor to write: its data as is, or rounded to halves for F16. */
export function encodeElements(t: TensorToWrite): Uint8Array {
  if (t.dtype !== 'F16') return littleEndianBytes(t.data);
  const out = new Uint8Array(t.data.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.data.length; i++) view.setUint16(i * 2, floatToHalf(t.data[i]!), true);
  return out;
}

/** The little-endian bytes of `data` (a view of it on little-endian hosts, a copy otherwise). */
export function littleEndianBytes(data: WritableData): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (data instanceof Float32Array) view.setFloat32(i * 4, v, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, v, true);
    else view.setUint32(i * 4, v, true);
  }
  return out;
}

/** Decodes one tensor's bytes (exactly numel * size of them) into a fresh typed array. */
export function decodeElements(dtype: ReadableDType, shape: number[], bytes: Uint8Array): DecodedTensor {
  // Copy into a new, zero-offset ArrayBuffer, so the typed array is aligned whatever the tensor's
  // offset in the file was, and the result does not keep the whole file alive. (Not bytes.slice():
  // on a Node Buffer that is a view, not a copy.)
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer);
  switch (dtype) {
    case 'U8':
      return { dtype, shape, data: copy };
    case 'F32':
      return { dtype, shape, data: LITTLE_ENDIAN_HOST ? new Float32Array(copy.buffer) : readEach(view, 4, Float32Array, (o) => view.getFloat32(o, true)) };
    case 'I32':
      return { dtype, shape, data: LITTLE_ENDIAN_HOST ? new Int32Array(copy.buffer) : readEach(view, 4, Int32Array, (o) => view.getInt32(o, true)) };
    case 'U32':
      return { dtype, shape, data: LITTLE_ENDIAN_HOST ? new Uint32Array(copy.buffer) : readEach(view, 4, Uint32Array, (o) => view.getUint32(o, true)) };
    case 'I64': {
      const out = new BigInt64Array(copy.byteLength / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getBigInt64(i * 8, true);
      return { dtype, shape, data: out };
    }
    case 'F16':
      return { dtype, shape, data: readEach(view, 2, Float32Array, (o) => halfToFloat(view.getUint16(o, true))) };
    case 'BF16': {
      // A bfloat16 is the top half of a float32: shift its bits up and reinterpret.
      const bits = new Uint32Array(copy.byteLength / 2);
      for (let i = 0; i < bits.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return { dtype, shape, data: new Float32Array(bits.buffer) };
    }
  }
}

function readEach<T extends Float32Array | Int32Array | Uint32Array>(
  view: DataView,
  size: number,
  Ctor: new (length: number) => T,
  read: (offset: number) => number,
): T {
  const out = new Ctor(view.byteLength / size);
  for (let i = 0; i < out.length; i++) out[i] = read(i * size);
  return out;
}

const F32_SCRATCH = new Float32Array(1);
const F32_BITS = new Uint32Array(F32_SCRATCH.buffer);

/**
 * The IEEE 754 half-precision bits nearest to `value` (as float32 first), ties to even, as numpy's
 * float16 cast does: beyond 65504 gives infinity, below 2^-25 gives a signed zero, NaN stays NaN.
 */
export function floatToHalf(value: number): number {
  F32_SCRATCH[0] = value;
  const bits = F32_BITS[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  // Normal halves keep the top 10 mantissa bits; subnormals shift the implicit 1 in as well. A carry out
  // of the rounding moves into the exponent, which is exactly the next half up (infinity after 65504).
  const full = e > 0 ? mantissa : mantissa | 0x800000;
  const shift = e > 0 ? 13 : 14 - e;
  if (shift > 24) return sign;
  const kept = full >>> shift;
  const rest = full - kept * 2 ** shift;
  const halfway = 2 ** (shift - 1);
  const rounded = kept + (rest > halfway || (rest === halfway && kept & 1) ? 1 : 0);
  return sign | ((e > 0 ? e << 10 : 0) + rounded);
}

/** The float value of IEEE 754 half-precision bits (exact: every half is a float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
