/**
 * Tensors of our graph held in TF.js with their axes in some order. Our graph is NCHW (PyTorch's layout);
 * TF.js's convolutions, resizes and pools are NHWC, and a TF.js user would write the model NHWC. So the
 * interpreter keeps each value as a TF.js tensor plus a permutation, and moves axes only where an op needs
 * a particular order: a graph `transpose` just composes permutations, a `reshape` that only merges or
 * splits axes that sit next to each other in memory is a TF.js reshape (free), and a matmul reads a
 * swapped operand through its transpose flags. What is left are real tf.transpose calls, counted in
 * LayoutStats so the benchmark can say how many the TF.js side runs.
 */
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../tfjs.js';

/** A graph tensor's values: `t.shape[j]` is logical axis `perm[j]`'s size. */
export interface Laid {
  readonly t: TfTensor;
  readonly perm: readonly number[];
}

/** Real data movement the layouts cost (tf.transpose calls), per interpreted run. */
export interface LayoutStats {
  transposes: number;
}

/** NHWC storage of an NCHW tensor, and HWIO storage of an OIHW conv weight. */
export const NHWC = [0, 2, 3, 1] as const;
export const HWIO = [2, 3, 1, 0] as const;

export const identity = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);
export const isIdentity = (perm: readonly number[]): boolean => perm.every((d, i) => d === i);
const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** pos[d]: where logical axis d sits in storage. */
export function positions(perm: readonly number[]): number[] {
  const pos = new Array<number>(perm.length);
  perm.forEach((d, j) => (pos[d] = j));
  return pos;
}

/** The logical shape of a laid tensor. */
export function logicalShape(v: Laid): number[] {
  const shape = new Array<number>(v.perm.length);
  v.perm.forEach((d, j) => (shape[d] = v.t.shape[j]!));
  return shape;
}

/** A plain (identity-ordered) laid tensor. */
export const plain = (t: TfTensor): Laid => ({ t, perm: identity(t.rank) });

/** The same values with storage order `target`: a reshape when only size-1 axes move, else a tf.transpose. */
export function toPerm(tf: Tf, v: Laid, target: readonly number[], stats?: LayoutStats): TfTensor {
  if (sameList(v.perm, target)) return v.t;
  const pos = positions(v.perm);
  const axes = target.map((d) => pos[d]!);
  const moved = axes.filter((a) => v.t.shape[a] !== 1);
  if (moved.every((a, i) => i === 0 || a > moved[i - 1]!)) return tf.reshape(v.t, axes.map((a) => v.t.shape[a]!));
  if (stats) stats.transposes++;
  return tf.transpose(v.t, axes);
}

/** The values in logical order (what a plain TF.js tensor of the graph tensor would be). */
export const materialize = (tf: Tf, v: Laid, stats?: LayoutStats): TfTensor => toPerm(tf, v, identity(v.perm.length), stats);

/** Groups of logical axes (sizes > 1 only) that a reshape from `from` to `to` merges or splits. */
function reshapeGroups(from: readonly number[], to: readonly number[]): { ins: number[]; outs: number[] }[] | null {
  const ins = from.flatMap((d, i) => (d === 1 ? [] : [i]));
  const outs = to.flatMap((d, i) => (d === 1 ? [] : [i]));
  const groups: { ins: number[]; outs: number[] }[] = [];
  let i = 0;
  let o = 0;
  while (i < ins.length && o < outs.length) {
    const g = { ins: [ins[i]!], outs: [outs[o]!] };
    let pa = from[ins[i++]!]!;
    let pb = to[outs[o++]!]!;
    while (pa !== pb) {
      if (pa < pb) {
        if (i >= ins.length) return null;
        g.ins.push(ins[i]!);
        pa *= from[ins[i++]!]!;
      } else {
        if (o >= outs.length) return null;
        g.outs.push(outs[o]!);
        pb *= to[outs[o++]!]!;
      }
    }
    groups.push(g);
  }
  return i === ins.length && o === outs.length ? groups : null;
}

/**
 * Reshape without moving data, if the laid storage allows it: every group of merged/split logical axes
 * must lie next to each other in storage, in logical order. Null when it does not (materialize first).
 */
export function reshapeView(tf: Tf, v: Laid, to: readonly number[]): Laid | null {
  const from = logicalShape(v);
  if (isIdentity(v.perm)) return plain(tf.reshape(v.t, [...to]));
  const groups = reshapeGroups(from, to);
  if (!groups) return null;
  const pos = positions(v.perm);
  // Storage rank of each non-1 logical axis, counting only non-1 axes (size-1 axes may sit anywhere).
  const order = v.perm.filter((d) => from[d] !== 1);
  const rankOf = new Map(order.map((d, j) => [d, j]));
  for (const g of groups) {
    for (let k = 1; k < g.ins.length; k++) if (rankOf.get(g.ins[k]!) !== rankOf.get(g.ins[k - 1]!)! + 1) return null;
  }
  groups.sort((a, b) => pos[a.ins[0]!]! - pos[b.ins[0]!]!);
  const perm: number[] = groups.flatMap((g) => g.outs);
  // Size-1 output axes go right after their nearest logical predecessor (front if none): keeps identity orders identity.
  to.forEach((d, axis) => {
    if (d !== 1) return;
    let at = 0;
    for (let p = axis - 1; p >= 0; p--) {
      const k = perm.indexOf(p);
      if (k >= 0) {
        at = k + 1;
        break;
      }
    }
    perm.splice(at, 0, axis);
  });
  return { t: tf.reshape(v.t, perm.map((d) => to[d]!)), perm };
}

/** The tensor with `rank - v's rank` leading size-1 axes (NumPy broadcasting's right alignment); free. */
export function expandRank(tf: Tf, v: Laid, rank: number): Laid {
  const extra = rank - v.perm.length;
  if (extra <= 0) return v;
  return { t: tf.reshape(v.t, [...new Array<number>(extra).fill(1), ...v.t.shape]), perm: [...identity(extra), ...v.perm.map((d) => d + extra)] };
}

/** Storage axes of logical `axes`, and the laid result's order after reducing them. */
export function reduceLayout(perm: readonly number[], axes: readonly number[], keepDims: boolean): { storageAxes: number[]; perm: number[] } {
  const pos = positions(perm);
  const storageAxes = axes.map((a) => pos[a]!).sort((a, b) => a - b);
  if (keepDims) return { storageAxes, perm: [...perm] };
  const kept = perm.filter((d) => !axes.includes(d));
  return { storageAxes, perm: kept.map((d) => d - axes.filter((a) => a < d).length) };
}

/** A [n] vector shaped to broadcast along storage axis `at` of a rank-`rank` tensor. */
export function alongAxis(tf: Tf, vec: TfTensor, rank: number, at: number): TfTensor {
  if (at === rank - 1) return vec;
  const shape = new Array<number>(rank).fill(1);
  shape[at] = vec.size;
  return tf.reshape(vec, shape);
}

/** The order with the last two axes swapped (a matmul operand read transposed). */
export function swapLast(rank: number): number[] {
  const p = identity(rank);
  if (rank >= 2) [p[rank - 2], p[rank - 1]] = [p[rank - 1]!, p[rank - 2]!];
  return p;
}

/** Host data of a logical `shape` rearranged into storage order `perm` (once, for feeds and initial weights). */
export function permuteHost(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  if (isIdentity(perm)) return data;
  const rank = shape.length;
  const strides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  const outShape = perm.map((d) => shape[d]!);
  const srcStride = perm.map((d) => strides[d]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let j = 0; j < rank; j++) src += index[j]! * srcStride[j]!;
    out[o] = data[src]!;
    for (let j = rank - 1; j >= 0; j--) {
      if (++index[j]! < outShape[j]!) break;
      index[j] = 0;
    }
  }
  return out;
}
