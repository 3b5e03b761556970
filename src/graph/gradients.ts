/**
 * Gradient rules: for each differentiable op, the gradients of its inputs given the gradient `dy` of its
 * output, written as more graph ops (TF.js keeps its `*_grad.ts` apart from kernels the same way).
 * A rule returns null for an input that gets no gradient (e.g. a comparison's operands).
 */
import { sizeOf, type Shape } from '../kernels/shape.js';
import type { Activation } from '../kernels/reference.js';
import type { Graph, GraphNode, SymbolicTensor } from './graph.js';

/** The gradient of one input, built only if that input needs one (so unneeded branches add no nodes). */
export type GradThunk = (() => SymbolicTensor) | null;
export type GradientRule = (g: Graph, node: GraphNode, dy: SymbolicTensor) => GradThunk[];

/** Memoise a gradient sub-expression shared by several inputs' thunks. */
function once(make: () => SymbolicTensor): () => SymbolicTensor {
  let value: SymbolicTensor | undefined;
  return () => (value ??= make());
}

const same = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Sum `t` over the axes along which `shape` was broadcast to t's shape, giving a tensor of `shape`. */
export function sumTo(g: Graph, t: SymbolicTensor, shape: Shape): SymbolicTensor {
  if (same(t.shape, shape)) return t;
  const offset = t.shape.length - shape.length;
  const axes: number[] = [];
  t.shape.forEach((d, i) => {
    const j = i - offset;
    if (j < 0 || (shape[j] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length > 0 ? g.sum(t, axes, true) : t;
  return same(summed.shape, shape) ? summed : g.reshape(summed, shape);
}

/** The keepDims shape of a reduction's output, so a reduced gradient can be broadcast back. */
function keptShape(x: Shape, attrs: Record<string, unknown>): number[] {
  const rank = x.length;
  const axes = ((attrs.axes as number[] | undefined) ?? x.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  return x.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reshapeIfNeeded(g: Graph, t: SymbolicTensor, shape: Shape): SymbolicTensor {
  return same(t.shape, shape) ? t : g.reshape(t, shape);
}

const rules: Record<string, GradientRule> = {
  identity: (_g, _n, dy) => [() => dy],
  neg: (g, _n, dy) => [() => g.neg(dy)],
  relu: (g, n, dy) => [() => g.mul(dy, g.unary('step', n.output))],
  gelu: (g, n, dy) => [() => g.mul(dy, g.unary('gelu_grad', n.inputs[0]!))],
  silu: (g, n, dy) => [() => g.mul(dy, g.unary('silu_grad', n.inputs[0]!))],
  exp: (g, n, dy) => [() => g.mul(dy, n.output)],
  log: (g, n, dy) => [() => g.div(dy, n.inputs[0]!)],
  sqrt: (g, n, dy) => [() => g.div(g.scale(dy, 0.5), n.output)],
  rsqrt: (g, n, dy) => [() => g.mul(dy, g.scale(g.mul(n.output, g.square(n.output)), -0.5))],
  scale: (g, n, dy) => [() => g.scale(dy, (n.attrs.alpha as number | undefined) ?? 1)],
  sigmoid: (g, n, dy) => [() => g.mul(dy, g.sub(n.output, g.square(n.output)))],
  tanh: (g, n, dy) => [() => g.sub(dy, g.mul(dy, g.square(n.output)))],
  abs: (g, n, dy) => [() => g.mul(dy, g.unary('sign', n.inputs[0]!))],
  square: (g, n, dy) => [() => g.mul(dy, g.scale(n.inputs[0]!, 2))],
  // Piecewise constant: zero gradient wherever it is defined.
  step: () => [null],
  sign: () => [null],
  greater_equal: () => [null, null],
  less_equal: () => [null, null],
  equal: () => [null, null],

  add: (g, n, dy) => [() => sumTo(g, dy, n.inputs[0]!.shape), () => sumTo(g, dy, n.inputs[1]!.shape)],
  sub: (g, n, dy) => [() => sumTo(g, dy, n.inputs[0]!.shape), () => sumTo(g, g.neg(dy), n.inputs[1]!.shape)],
  mul: (g, n, dy) => {
    const [a, b] = n.inputs as [SymbolicTensor, SymbolicTensor];
    return [() => sumTo(g, g.mul(dy, b), a.shape), () => sumTo(g, g.mul(dy, a), b.shape)];
  },
  div: (g, n, dy) => {
    const [a, b] = n.inputs as [SymbolicTensor, SymbolicTensor];
    // d(a/b)/db = -a/b^2 = -y/b
    return [() => sumTo(g, g.div(dy, b), a.shape), () => sumTo(g, g.neg(g.div(g.mul(dy, n.output), b)), b.shape)];
  },
  maximum: (g, n, dy) => selectGrad(g, n, dy, 'greater_equal'),
  minimum: (g, n, dy) => selectGrad(g, n, dy, 'less_equal'),
  pow: (g, n, dy) => {
    const [a, b] = n.inputs as [SymbolicTensor, SymbolicTensor];
    const y = n.output;
    // dy/da = b * a^(b-1) = b * y / a; dy/db = y * log(a)
    return [() => sumTo(g, g.div(g.mul(g.mul(dy, b), y), a), a.shape), () => sumTo(g, g.mul(g.mul(dy, y), g.log(a)), b.shape)];
  },

  reduce_sum: (g, n, dy) => {
    const x = n.inputs[0]!;
    return [() => g.broadcastTo(reshapeIfNeeded(g, dy, keptShape(x.shape, n.attrs)), x.shape)];
  },
  reduce_mean: (g, n, dy) => {
    const x = n.inputs[0]!;
    const count = sizeOf(x.shape) / Math.max(1, sizeOf(n.output.shape));
    return [() => g.scale(g.broadcastTo(reshapeIfNeeded(g, dy, keptShape(x.shape, n.attrs)), x.shape), 1 / count)];
  },
  reduce_max: (g, n, dy) => {
    const x = n.inputs[0]!;
    const kept = keptShape(x.shape, n.attrs);
    // The gradient flows to the maximal elements (to all of them on a tie).
    return [() => g.mul(g.binary('equal', x, reshapeIfNeeded(g, n.output, kept)), reshapeIfNeeded(g, dy, kept))];
  },
  softmax: (g, n, dy) => {
    const y = n.output;
    return [() => g.mul(y, g.sub(dy, g.sum(g.mul(dy, y), [-1], true)))];
  },
  log_softmax: (g, n, dy) => [() => g.sub(dy, g.mul(g.exp(n.output), g.sum(dy, [-1], true)))],
  transpose: (g, n, dy) => {
    const rank = n.inputs[0]!.shape.length;
    const perm = (n.attrs.perm as number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [() => g.transpose(dy, inverse)];
  },
  broadcast_to: (g, n, dy) => [() => sumTo(g, dy, n.inputs[0]!.shape)],
  reshape: (g, n, dy) => [() => g.reshape(dy, n.inputs[0]!.shape)],
  stop_gradient: () => [null],
  matmul: matmulGrad,
};

function selectGrad(g: Graph, n: GraphNode, dy: SymbolicTensor, compare: 'greater_equal' | 'less_equal'): GradThunk[] {
  const [a, b] = n.inputs as [SymbolicTensor, SymbolicTensor];
  const toA = once(() => g.mul(dy, g.binary(compare, a, b)));
  return [() => sumTo(g, toA(), a.shape), () => sumTo(g, g.sub(dy, toA()), b.shape)];
}

/**
 * C = act(op(A) @ op(B) + bias). With gz the gradient before the activation:
 *   C = A B:     dA = gz B^T       dB = A^T gz
 *   C = A B^T:   dA = gz B         dB = gz^T A
 *   C = A^T B:   dA = B gz^T       dB = A gz
 *   C = A^T B^T: dA = B^T gz^T     dB = gz^T A^T
 * and sumTo() folds the batch axis away for an operand that was broadcast over it.
 */
function matmulGrad(g: Graph, n: GraphNode, dy: SymbolicTensor): GradThunk[] {
  const [a, b, bias] = n.inputs as [SymbolicTensor, SymbolicTensor, SymbolicTensor | undefined];
  const transA = !!n.attrs.transA;
  const transB = !!n.attrs.transB;
  const act = (n.attrs.activation as Activation | undefined) ?? 'none';
  const gz = once(() => (act === 'relu' ? g.mul(dy, g.unary('step', n.output)) : dy));
  const da = (): SymbolicTensor => {
    if (!transA && !transB) return g.matmul(gz(), b, { transB: true });
    if (!transA && transB) return g.matmul(gz(), b);
    if (transA && !transB) return g.matmul(b, gz(), { transB: true });
    return g.matmul(b, gz(), { transA: true, transB: true });
  };
  const db = (): SymbolicTensor => {
    if (!transA && !transB) return g.matmul(a, gz(), { transA: true });
    if (!transA && transB) return g.matmul(gz(), a, { transA: true });
    if (transA && !transB) return g.matmul(a, gz());
    return g.matmul(gz(), a, { transA: true, transB: true });
  };
  const grads: GradThunk[] = [() => sumTo(g, da(), a.shape), () => sumTo(g, db(), b.shape)];
  // A per-row bias ([M]) sums over everything but the rows axis; a per-column one is broadcast like add.
  const rowAxis = n.output.shape.length - 2;
  const biasGrad = n.attrs.biasPerRow
    ? () => g.sum(gz(), n.output.shape.map((_, i) => i).filter((i) => i !== rowAxis))
    : () => sumTo(g, gz(), bias!.shape);
  return bias ? [...grads, biasGrad] : grads;
}

/** Register the gradient rule of an op defined outside the core (an op family in src/graph/ops/). */
export function registerGradient(op: string, rule: GradientRule): void {
  rules[op] = rule;
}

/** The gradient rule of an op, or undefined if it has none. */
export function gradientRule(op: string): GradientRule | undefined {
  return rules[op];
}

/** Ops that have a gradient rule. */
export function differentiableOps(): string[] {
  return Object.keys(rules);
}
