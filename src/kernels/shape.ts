/** Shape arithmetic shared by kernels and their CPU references. */
import { ShapeError } from '../errors.js';

export type Shape = readonly number[];

/** Kernels pass shapes and strides in array<vec4<u32>, 2> uniforms, so rank is at most 8. */
export const MAX_RANK = 8;

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Throw unless every dimension is a non-negative integer and the rank fits the kernels. */
export function checkShape(shape: Shape, what: string): void {
  if (shape.length > MAX_RANK) throw new ShapeError(`${what}: rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what}: invalid shape ${formatShape(shape)}`);
  }
}

/** NumPy broadcasting of two shapes; throws a ShapeError naming the op when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast ` +
          `(axis ${i} of the result: ${da} vs ${db}; each pair must be equal or one of them 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` read as if broadcast to `outShape` (0 on broadcast axes), padded to outShape's rank. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - offset;
    return j < 0 || shape[j] === 1 ? 0 : own[j]!;
  });
}

/** Normalise possibly negative axes against a rank, rejecting duplicates and out-of-range values. */
export function normalizeAxes(op: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  for (const [i, a] of out.entries()) {
    if (!Number.isInteger(a) || a < 0 || a >= rank) {
      throw new ShapeError(`${op}: axis ${axes[i]} is out of range for rank ${rank}`);
    }
  }
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: repeated axis in [${axes.join(', ')}]`);
  return out;
}

/** Pack up to 8 integers into the 8 u32 slots of an array<vec4<u32>, 2> uniform member (unused slots = fill). */
export function pack8(values: readonly number[], fill = 1): number[] {
  const out = new Array<number>(MAX_RANK).fill(fill);
  values.forEach((v, i) => (out[i] = v));
  return out;
}

/**
 * The same strided walk over fewer axes: axes of size 1 dropped, and each axis merged into the one before
 * it wherever every operand steps across the pair as across one axis (stride[i] = stride[i+1] * size[i+1];
 * two broadcast axes, stride 0, always merge). Elementwise kernels then decode fewer coordinates, and most
 * broadcasts in a model collapse to rank <= 3, which the grid kernels address without integer division.
 */
export function collapseStrided(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * d)) {
      outShape[last] = outShape[last]! * d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outShape.push(d);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  });
  return { shape: outShape, strides: outStrides };
}

/** Workgroups along y and z are at most this many; grid kernels put the outer axes there. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * A collapsed walk as a 3-D dispatch grid [x: inner, y: middle, z: outer] (padded with size-1 axes in
 * front), or null when it has more than 3 axes, any axis exceeds the grid (the inner one at
 * `innerPerWorkgroup` elements a workgroup), or its inner axis is too short to fill a workgroup's
 * lanes (then the kernels' general path decodes a flat index instead).
 */
export function grid3(
  collapsed: { shape: number[]; strides: number[][] },
  minInner: number,
  innerPerWorkgroup: number,
): { shape: number[]; strides: number[][] } | null {
  const { shape, strides } = collapsed;
  if (shape.length > 3) return null;
  const pad = 3 - shape.length;
  const shape3 = [...new Array<number>(pad).fill(1), ...shape];
  const tooLong = Math.ceil(shape3[2]! / innerPerWorkgroup) > MAX_WORKGROUPS_PER_DIM;
  if (shape3[2]! < minInner || tooLong || shape3[0]! > MAX_WORKGROUPS_PER_DIM || shape3[1]! > MAX_WORKGROUPS_PER_DIM) return null;
  return { shape: shape3, strides: strides.map((s) => [...new Array<number>(pad).fill(0), ...s]) };
}
