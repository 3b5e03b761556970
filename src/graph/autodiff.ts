/**
 * Reverse-mode autodiff on the symbolic graph: appends gradient nodes, walking the forward nodes in
 * reverse build order (a reverse topological order). Only nodes on a path from a requested tensor to the
 * loss are differentiated, so branches that do not reach a parameter cost nothing.
 */
import { GraphError, ShapeError } from '../errors.js';
import { formatShape } from '../kernels/shape.js';
import type { Graph, SymbolicTensor } from './graph.js';
import { gradientRule } from './gradients.js';

/** Gradients of a scalar `loss` with respect to each tensor in `wrt` (zeros where the loss does not depend on it). */
export function backward(g: Graph, loss: SymbolicTensor, wrt: readonly SymbolicTensor[]): Map<SymbolicTensor, SymbolicTensor> {
  if (loss.size !== 1) {
    throw new ShapeError(`backward: the loss must be a single value, got shape ${formatShape(loss.shape)}; reduce it first (sum or mean)`);
  }
  const forward = g.nodes.slice(0, (loss.node?.id ?? -1) + 1);
  // Tensors that depend on something in `wrt`...
  const dependsOnWrt = new Set<SymbolicTensor>(wrt);
  for (const node of forward) {
    if (node.op !== 'stop_gradient' && node.inputs.some((t) => dependsOnWrt.has(t))) dependsOnWrt.add(node.output);
  }
  // ...and that the loss depends on: only those carry gradient.
  const reachesLoss = new Set<SymbolicTensor>([loss]);
  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    if (reachesLoss.has(node.output)) for (const t of node.inputs) reachesLoss.add(t);
  }
  const onPath = (t: SymbolicTensor) => dependsOnWrt.has(t) && reachesLoss.has(t);

  const pending = new Map<SymbolicTensor, SymbolicTensor[]>();
  const gradOf = (t: SymbolicTensor): SymbolicTensor | null => {
    const parts = pending.get(t);
    if (!parts || parts.length === 0) return null;
    // A tensor used several times gets the sum of the gradients of each use.
    const total = parts.reduce((acc, p) => g.add(acc, p));
    pending.set(t, [total]);
    return total;
  };
  pending.set(loss, [g.fill(1, loss.shape, `grad_seed`)]);

  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    if (!onPath(node.output)) continue;
    const dy = gradOf(node.output);
    if (!dy) continue;
    const rule = gradientRule(node.op);
    if (!rule) {
      throw new GraphError(
        `backward: op '${node.op}' (node ${node.output.name}) has no gradient rule, but a parameter's gradient flows through it; ` +
          'wrap its input in stopGradient() if it should not be trained through',
      );
    }
    const thunks = rule(g, node, dy);
    node.inputs.forEach((input, j) => {
      // Only inputs on a path to a requested tensor get their gradient built at all.
      if (!onPath(input)) return;
      const gi = thunks[j]?.() ?? null;
      if (!gi) return;
      if (gi.shape.length !== input.shape.length || gi.shape.some((d, k) => d !== input.shape[k])) {
        throw new ShapeError(`backward: gradient rule of '${node.op}' gave ${formatShape(gi.shape)} for input ${input}`);
      }
      const list = pending.get(input) ?? [];
      list.push(gi);
      pending.set(input, list);
    });
  }

  const result = new Map<SymbolicTensor, SymbolicTensor>();
  for (const t of wrt) result.set(t, gradOf(t) ?? g.fill(0, t.shape, `grad_zero_${t.name}`));
  return result;
}
