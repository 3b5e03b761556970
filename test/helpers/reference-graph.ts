/**
 * Evaluate a graph on the CPU in float64, node by node through each op's reference (the same references
 * the kernel tests use). For composed building blocks (attention blocks, transformer layers, heads):
 * their GPU result and autodiff gradients are checked against this, and against finite differences of it.
 */
import type { Graph, SymbolicTensor } from '../../src/graph/graph.js';
import { getOp } from '../../src/graph/ops/index.js';
import { host, type HostTensor } from '../../src/kernels/reference.js';

/** Values of `targets`, given values for the graph's inputs and parameters (by tensor name). */
export function evaluateReference(graph: Graph, values: Record<string, ArrayLike<number>>, targets: SymbolicTensor[]): HostTensor[] {
  const known = new Map<SymbolicTensor, HostTensor>();
  const valueOf = (t: SymbolicTensor): HostTensor => {
    let v = known.get(t);
    if (v) return v;
    if (t.kind === 'constant') v = host(t.shape, graph.constants.get(t)!);
    else if (t.kind === 'input' || t.kind === 'param') {
      const data = values[t.name];
      if (!data) throw new Error(`evaluateReference: no value for ${t.kind} '${t.name}'`);
      v = host(t.shape, data);
    } else {
      const node = t.node!;
      if (node.output !== t) throw new Error(`evaluateReference: ${t} is an auxiliary output; references give only the main one`);
      v = getOp(node.op).reference(node.inputs.map(valueOf), node.attrs);
    }
    known.set(t, v);
    return v;
  };
  return targets.map(valueOf);
}
