/**
 * TF.js rules for the core ops of our op table (src/graph/ops/core.ts, and concat/slice from sampling.ts):
 * elementwise ops, reductions, softmax, layout ops and matmul. Each rule takes its inputs as laid tensors
 * (tfjs-layout.ts) and returns one, moving axes only where TF.js needs an order: elementwise ops and
 * reductions work in whatever order their input has, transposes are bookkeeping, matmul reads swapped
 * operands through its flags. Written as a TF.js user would write the same math.
 */
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { GraphNode } from '../../src/graph/graph.js';
import type { Tf } from '../tfjs.js';
import {
  alongAxis,
  expandRank,
  identity,
  isIdentity,
  materialize,
  plain,
  positions,
  reduceLayout,
  reshapeView,
  swapLast,
  toPerm,
  type Laid,
  type LayoutStats,
} from './tfjs-layout.js';

/** What a rule sees: TF.js, the node it runs, the node's prepared constants and the layout counters. */
export interface OpContext {
  readonly tf: Tf;
  readonly node: GraphNode;
  /** Tensors made once for this node by the rule's prepare() (index tables, masks). */
  readonly prepared: readonly TfTensor[];
  readonly stats: LayoutStats;
}

export interface OpRule {
  run(ctx: OpContext, inputs: Laid[]): Laid;
  /** Fixed tensors the rule needs every run, made once when the model is built (disposed with it). */
  prepare?(tf: Tf, node: GraphNode): TfTensor[];
  /** The storage order input `i` should have when it is a parameter (a conv weight: HWIO). */
  paramLayout?(i: number): readonly number[] | undefined;
}

const keepPerm = (v: Laid, t: TfTensor): Laid => ({ t, perm: v.perm });
const unary = (f: (tf: Tf, x: TfTensor, node: GraphNode) => TfTensor): OpRule => ({
  run: ({ tf, node }, [x]) => keepPerm(x!, f(tf, x!.t, node)),
});

const UNARY: Record<string, OpRule> = {
  identity: { run: (_, [x]) => x! },
  neg: unary((tf, x) => tf.neg(x)),
  relu: unary((tf, x) => tf.relu(x)),
  // tfjs-core has no GELU op: the exact (erf) form, as our kernel and PyTorch's default compute it.
  gelu: unary((tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1))),
  silu: unary((tf, x) => tf.mul(x, tf.sigmoid(x))),
  exp: unary((tf, x) => tf.exp(x)),
  log: unary((tf, x) => tf.log(x)),
  sqrt: unary((tf, x) => tf.sqrt(x)),
  rsqrt: unary((tf, x) => tf.rsqrt(x)),
  scale: unary((tf, x, node) => tf.mul(x, node.attrs.alpha as number)),
  sigmoid: unary((tf, x) => tf.sigmoid(x)),
  tanh: unary((tf, x) => tf.tanh(x)),
  abs: unary((tf, x) => tf.abs(x)),
  square: unary((tf, x) => tf.square(x)),
  step: unary((tf, x) => tf.step(x)),
  sign: unary((tf, x) => tf.sign(x)),
};

/** Both operands in one storage order (the larger one's), ranks aligned as NumPy broadcasting does. */
function binary(f: (tf: Tf, a: TfTensor, b: TfTensor) => TfTensor): OpRule {
  return {
    run: ({ tf, stats }, [a0, b0]) => {
      const rank = Math.max(a0!.perm.length, b0!.perm.length);
      const a = expandRank(tf, a0!, rank);
      const b = expandRank(tf, b0!, rank);
      const lead = a.t.size >= b.t.size ? a : b;
      return { t: f(tf, toPerm(tf, a, lead.perm, stats), toPerm(tf, b, lead.perm, stats)), perm: lead.perm };
    },
  };
}

const BINARY: Record<string, OpRule> = {
  add: binary((tf, a, b) => tf.add(a, b)),
  sub: binary((tf, a, b) => tf.sub(a, b)),
  mul: binary((tf, a, b) => tf.mul(a, b)),
  div: binary((tf, a, b) => tf.div(a, b)),
  maximum: binary((tf, a, b) => tf.maximum(a, b)),
  minimum: binary((tf, a, b) => tf.minimum(a, b)),
  greater_equal: binary((tf, a, b) => tf.cast(tf.greaterEqual(a, b), 'float32')),
  less_equal: binary((tf, a, b) => tf.cast(tf.lessEqual(a, b), 'float32')),
  equal: binary((tf, a, b) => tf.cast(tf.equal(a, b), 'float32')),
};

/** Logical axes of a reduction (all when omitted), negative ones counted from the end. */
export function reduceAxes(node: GraphNode, rank: number): number[] {
  const axes = (node.attrs.axes as number[] | undefined) ?? identity(rank);
  return axes.map((a) => (a < 0 ? a + rank : a));
}

function reduction(f: (tf: Tf, x: TfTensor, axes: number[], keepDims: boolean) => TfTensor): OpRule {
  return {
    run: ({ tf, node }, [x]) => {
      const keepDims = !!node.attrs.keepDims;
      const { storageAxes, perm } = reduceLayout(x!.perm, reduceAxes(node, x!.perm.length), keepDims);
      return { t: f(tf, x!.t, storageAxes, keepDims), perm };
    },
  };
}

/** The tensor with its last logical axis last in storage (softmax and friends run over the last axis). */
export function lastAxisLast(tf: Tf, v: Laid, stats: LayoutStats): Laid {
  const last = v.perm.length - 1;
  if (v.perm[last] === last) return v;
  const perm = [...v.perm.filter((d) => d !== last), last];
  return { t: toPerm(tf, v, perm, stats), perm };
}

const softmaxRule = (log: boolean): OpRule => ({
  run: ({ tf, stats }, [x]) => {
    const v = lastAxisLast(tf, x!, stats);
    return keepPerm(v, log ? tf.logSoftmax(v.t) : tf.softmax(v.t));
  },
});

const LAYOUT: Record<string, OpRule> = {
  // No data moves: logical input axis d becomes output axis inverse(perm)[d].
  transpose: {
    run: ({ node }, [x]) => {
      const rank = x!.perm.length;
      const p = (node.attrs.perm as number[] | undefined) ?? identity(rank).reverse();
      const inverse = positions(p);
      return { t: x!.t, perm: x!.perm.map((d) => inverse[d]!) };
    },
  },
  reshape: {
    run: ({ tf, node, stats }, [x]) => reshapeView(tf, x!, node.output.shape) ?? plain(tf.reshape(materialize(tf, x!, stats), [...node.output.shape])),
  },
  broadcast_to: {
    run: ({ tf, node }, [x0]) => {
      const x = expandRank(tf, x0!, node.output.shape.length);
      return keepPerm(x, tf.broadcastTo(x.t, x.perm.map((d) => node.output.shape[d]!)));
    },
  },
  stop_gradient: {
    run: ({ tf }, [x]) => {
      const stop = tf.customGrad((...args) => ({ value: tf.clone(args[0] as TfTensor), gradFunc: (dy: TfTensor) => tf.zerosLike(dy) }));
      return keepPerm(x!, stop(x!.t));
    },
  },
  concat: {
    run: ({ tf, node, stats }, parts) => {
      const lead = parts[0]!;
      const axis = node.attrs.axis as number;
      const at = positions(lead.perm)[axis < 0 ? axis + lead.perm.length : axis]!;
      return keepPerm(lead, tf.concat(parts.map((p) => toPerm(tf, p, lead.perm, stats)), at));
    },
  },
  slice: {
    run: ({ tf, node }, [x]) => {
      const begin = node.attrs.begin as number[];
      const size = node.attrs.size as number[];
      return keepPerm(x!, tf.slice(x!.t, x!.perm.map((d) => begin[d]!), x!.perm.map((d) => size[d]!)));
    },
  },
  pad: {
    run: ({ tf, node }, [x]) => {
      const pads = node.attrs.pads as [number, number][];
      return keepPerm(x!, tf.pad(x!.t, x!.perm.map((d) => pads[d]!), (node.attrs.value as number | undefined) ?? 0));
    },
  },
};

/** A matmul operand as stored: plain, or with its last two axes swapped (read through the transpose flag). */
function operand(tf: Tf, v: Laid, stats: LayoutStats): { t: TfTensor; swapped: boolean } {
  if (isIdentity(v.perm)) return { t: v.t, swapped: false };
  const swap = swapLast(v.perm.length);
  if (v.perm.every((d, i) => d === swap[i])) return { t: v.t, swapped: true };
  return { t: materialize(tf, v, stats), swapped: false };
}

/** [..., X, Y] -> [prod(...) * X, Y]. */
const fold = (tf: Tf, t: TfTensor): TfTensor => tf.reshape(t, [-1, t.shape[t.rank - 1]!]);

/**
 * op(A) @ op(B) on storage tensors with effective flags ta, tb. Where a 2-D operand meets a batched one,
 * the batch is folded into the rows when the batched operand's storage allows (TF.js's BatchMatMul
 * gradient does not reduce over broadcast batch axes, so broadcasting must be explicit otherwise).
 */
function product(tf: Tf, a: TfTensor, ta: boolean, b: TfTensor, tb: boolean, outShape: readonly number[]): Laid {
  const rank = outShape.length;
  const batchA = a.shape.slice(0, -2).join();
  const batchB = b.shape.slice(0, -2).join();
  if (batchA === batchB) return plain(tf.matMul(a, b, ta, tb));
  const batch = outShape.slice(0, -2);
  const [m, n] = [outShape[rank - 2]!, outShape[rank - 1]!];
  // B batched and stored [..., N, K]: C^T = B_storage @ op(A)^T, one 2-D product, result stored swapped.
  if (a.rank === 2 && tb) return { t: tf.reshape(tf.matMul(fold(tf, b), a, false, !ta), [...batch, n, m]), perm: swapLast(rank) };
  // A batched and stored [..., M, K]: its rows simply stack.
  if (b.rank === 2 && !ta) return plain(tf.reshape(tf.matMul(fold(tf, a), b, false, tb), [...batch, m, n]));
  const widen = (t: TfTensor) => (t.shape.slice(0, -2).join() === batch.join() ? t : tf.broadcastTo(t, [...batch, ...t.shape.slice(-2)]));
  return plain(tf.matMul(widen(a), widen(b), ta, tb));
}

const MATMUL: OpRule = {
  run: ({ tf, node, stats }, [a, b, bias]) => {
    const { transA, transB, activation = 'none', biasPerRow } = node.attrs as { transA?: boolean; transB?: boolean; activation?: string; biasPerRow?: boolean };
    const A = operand(tf, a!, stats);
    const B = operand(tf, b!, stats);
    const out = product(tf, A.t, !!transA !== A.swapped, B.t, !!transB !== B.swapped, node.output.shape);
    const rank = out.perm.length;
    let t = out.t;
    if (bias) {
      const axis = biasPerRow ? rank - 2 : rank - 1;
      t = tf.add(t, alongAxis(tf, materialize(tf, bias, stats), rank, positions(out.perm)[axis]!));
    }
    if (activation === 'relu') t = tf.relu(t);
    else if (activation !== 'none') throw new Error(`matmul: the TF.js interpreter takes activation 'none' or 'relu', got '${activation}'`);
    return { t, perm: out.perm };
  },
};

export const CORE_RULES: Record<string, OpRule> = {
  ...UNARY,
  ...BINARY,
  reduce_sum: reduction((tf, x, axes, keepDims) => tf.sum(x, axes, keepDims)),
  reduce_mean: reduction((tf, x, axes, keepDims) => tf.mean(x, axes, keepDims)),
  reduce_max: reduction((tf, x, axes, keepDims) => tf.max(x, axes, keepDims)),
  softmax: softmaxRule(false),
  log_softmax: softmaxRule(true),
  ...LAYOUT,
  matmul: MATMUL,
};

