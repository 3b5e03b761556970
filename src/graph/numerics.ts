/**
 * Guarding training against NaN and Inf. The check is one GPU reduction: a (scaled) sum over the flat
 * parameter buffer, 4 bytes read back. Once an update has gone non-finite, NaN spreads to every weight through the
 * next forward pass, so checking the weights every N steps (with each step's loss, which is read anyway)
 * catches it. Where it came from takes a debug run: the step again, every tensor read back, the first
 * non-finite one named.
 */
import { unary } from '../kernels/elementwise/unary.js';
import { reduce } from '../kernels/reduce.js';
import { Tensor } from '../kernels/tensor.js';
import type { KernelRuntime } from '../kernels/runtime.js';
import { compile, neededNodes, parameterGradients } from './executor.js';
import type { Graph, SymbolicTensor } from './graph.js';
import type { Parameters } from './parameters.js';

/**
 * True when every parameter is finite. The weights are scaled by 2^-126 before they are summed, so huge but
 * finite ones (a run on its way to overflow) cannot overflow the sum, while Inf and NaN survive any scale.
 */
export async function parametersAreFinite(params: Parameters): Promise<boolean> {
  const rt = params.rt;
  const flat = new Tensor(params.buffers.values, [params.totalFloats], 'f32', 'parameters');
  const scaled = await unary(rt, 'scale', flat, { alpha: 2 ** -126 });
  const sum = await reduce(rt, 'sum', scaled);
  try {
    const [value] = await rt.read(sum);
    return Number.isFinite(value);
  } finally {
    scaled.destroy();
    sum.destroy();
  }
}

export interface NonFiniteTensor {
  name: string;
  op: string;
  shape: number[];
  /** Where the tensor is: a fed input, a parameter, or a node's output in the forward or backward pass. */
  kind: 'input' | 'parameter' | 'forward' | 'backward';
  /** NaN and Inf values in it. */
  count: number;
  size: number;
  /** The parameters its node reads (what names a layer when the tensor's own name is generated). */
  reads: string[];
}

const countNonFinite = (values: ArrayLike<number>) => {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) n++;
  return n;
};

/**
 * The first tensor holding NaN or Inf when `graph` computes `loss` and its parameter gradients from `feeds`:
 * the inputs first, then the parameters, then every node in execution order (forward, then backward). Null
 * when all are finite (then the optimizer update is what overflowed). Compiles and runs a debug executable
 * that keeps and reads back every tensor: for diagnosis, not for training.
 */
export async function firstNonFinite(
  rt: KernelRuntime,
  graph: Graph,
  loss: SymbolicTensor,
  params: Parameters,
  feeds: Record<string, ArrayLike<number>>,
): Promise<NonFiniteTensor | null> {
  for (const t of graph.tensors) {
    const fed = t.kind === 'input' ? feeds[t.name] : undefined;
    const count = fed ? countNonFinite(fed) : 0;
    if (count > 0) return { name: t.name, op: 'input', shape: [...t.shape], kind: 'input', count, size: t.size, reads: [] };
  }
  const values = await params.read('values');
  for (const e of params.entries) {
    const count = countNonFinite(values[e.name]!);
    if (count > 0) return { name: e.name, op: 'parameter', shape: [...e.shape], kind: 'parameter', count, size: e.size, reads: [] };
  }
  const grads = parameterGradients(graph, loss);
  const nodes = neededNodes(graph, [loss, ...grads.values()]);
  const lossIndex = nodes.indexOf(loss.node!);
  const watched = nodes.flatMap((n, i) =>
    [n.output, ...n.aux].map((t) => ({ t, op: n.op, kind: i <= lossIndex ? ('forward' as const) : ('backward' as const), reads: n.inputs.filter((x) => x.kind === 'param').map((x) => x.name) })),
  );
  const exe = await compile(rt, graph, { outputs: watched.map((w) => w.t), parameters: params, memory: 'naive' });
  try {
    const out = await exe.run(feeds);
    for (const { t, op, kind, reads } of watched) {
      const count = countNonFinite(out[t.name]!);
      if (count > 0) return { name: t.name, op, shape: [...t.shape], kind, count, size: t.size, reads };
    }
    return null;
  } finally {
    exe.destroy();
  }
}
