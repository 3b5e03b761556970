/**
 * The symbolic graph: tensors with a shape, a dtype and a name, and the nodes that make them. Shapes are
 * inferred as the graph is built (each op's kernel plan validates its inputs), so a mismatch throws a
 * ShapeError naming the op at the line that built it. Nodes are kept in build order, which is a
 * topological order by construction.
 */
import { ShapeError } from '../errors.js';
import type { TensorSpec } from '../kernels/launch.js';
import type { Activation } from '../kernels/reference.js';
import { formatShape, type Shape } from '../kernels/shape.js';
import type { DType } from '../kernels/tensor.js';
import type { BinaryOp, UnaryOp } from '../kernels/elementwise/ops.js';
import { buildAttention, type AttentionCallOptions } from './attention.js';
import { getOp, type OpAttrs } from './ops/index.js';

export type TensorKind = 'input' | 'constant' | 'param' | 'intermediate';

/** A tensor of the graph: no data, only what it will be. */
export class SymbolicTensor {
  constructor(
    readonly id: number,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly name: string,
    readonly kind: TensorKind,
    /** The node that computes it (null for inputs, constants and parameters). */
    readonly node: GraphNode | null,
  ) {}
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  toString(): string {
    return `${this.name}${formatShape(this.shape)}`;
  }
}

export interface GraphNode {
  id: number;
  op: string;
  inputs: SymbolicTensor[];
  attrs: OpAttrs;
  output: SymbolicTensor;
  /** Auxiliary outputs of the same kernels (e.g. attention's row log-sum-exp); no gradient flows through them. */
  aux: SymbolicTensor[];
}

export interface ParamInfo {
  init: Initializer;
  /** Apply weight decay to it (false for norms and biases). */
  decay: boolean;
}

export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'kaiming_uniform' }
  | { kind: 'xavier_uniform' };

export interface MatmulAttrs {
  transA?: boolean;
  transB?: boolean;
  activation?: Activation;
}

export class Graph {
  readonly nodes: GraphNode[] = [];
  readonly tensors: SymbolicTensor[] = [];
  readonly constants = new Map<SymbolicTensor, Float32Array<ArrayBuffer>>();
  readonly params = new Map<SymbolicTensor, ParamInfo>();
  private readonly names = new Set<string>();

  private newTensor(shape: Shape, dtype: DType, name: string, kind: TensorKind, node: GraphNode | null): SymbolicTensor {
    const t = new SymbolicTensor(this.tensors.length, [...shape], dtype, name, kind, node);
    this.tensors.push(t);
    return t;
  }

  private claimName(name: string, what: string): void {
    if (this.names.has(name)) throw new ShapeError(`${what} '${name}': the name is already used in this graph`);
    this.names.add(name);
  }

  /** A value fed at every run. */
  input(name: string, shape: Shape, dtype: DType = 'f32'): SymbolicTensor {
    this.claimName(name, 'input');
    return this.newTensor(shape, dtype, name, 'input', null);
  }

  /** A trainable parameter, named like a PyTorch state-dict key (`encoder.stage1.conv1.weight`). */
  param(name: string, shape: Shape, init: Initializer = { kind: 'kaiming_uniform' }, options: { decay?: boolean } = {}): SymbolicTensor {
    this.claimName(name, 'parameter');
    const t = this.newTensor(shape, 'f32', name, 'param', null);
    // Norm scales/shifts and biases (rank 1) are not decayed unless asked, as in common AdamW set-ups.
    this.params.set(t, { init, decay: options.decay ?? shape.length > 1 });
    return t;
  }

  /** Fixed data, uploaded once at compile time. */
  constant(data: ArrayLike<number>, shape: Shape, name?: string): SymbolicTensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new ShapeError(`constant: ${data.length} values do not fill shape ${formatShape(shape)}`);
    const t = this.newTensor(shape, 'f32', name ?? `const${this.tensors.length}`, 'constant', null);
    this.constants.set(t, Float32Array.from(data));
    return t;
  }

  /** A constant filled with one value. */
  fill(value: number, shape: Shape, name?: string): SymbolicTensor {
    return this.constant(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape, name);
  }

  /** Add a node for a registered op; its output shape is inferred (and checked) now. */
  apply(op: string, inputs: SymbolicTensor[], attrs: OpAttrs = {}, name?: string): SymbolicTensor {
    const def = getOp(op);
    for (const t of inputs) {
      if (!(t instanceof SymbolicTensor) || this.tensors[t.id] !== t) {
        throw new ShapeError(`${op}: an input is not a tensor of this graph`);
      }
    }
    let out: TensorSpec;
    let aux: TensorSpec[];
    try {
      ({ out, aux } = def.outputs(
        inputs.map((t) => ({ shape: t.shape, dtype: t.dtype })),
        attrs,
      ));
    } catch (err) {
      if (err instanceof ShapeError) {
        throw new ShapeError(`${op}(${inputs.map(String).join(', ')}): ${err.message}`);
      }
      throw err;
    }
    const node: GraphNode = { id: this.nodes.length, op, inputs, attrs, output: null as unknown as SymbolicTensor, aux: [] };
    node.output = this.newTensor(out.shape, out.dtype, name ?? `${op}${node.id}`, 'intermediate', node);
    node.aux = aux.map((spec, i) => this.newTensor(spec.shape, spec.dtype, `${node.output.name}.aux${i}`, 'intermediate', node));
    this.nodes.push(node);
    return node.output;
  }

  /** The i-th auxiliary output of the node that made `t` (see GraphNode.aux). */
  auxOf(t: SymbolicTensor, i = 0): SymbolicTensor {
    const aux = t.node?.aux[i];
    if (!aux) throw new ShapeError(`auxOf: ${t} has no auxiliary output ${i}`);
    return aux;
  }

  // Builders for every op, so models read like math.
  unary(op: UnaryOp, x: SymbolicTensor, attrs: { alpha?: number } = {}): SymbolicTensor {
    return this.apply(op, [x], attrs);
  }
  binary(op: BinaryOp, a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    return this.apply(op, [a, b]);
  }
  add(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    return this.apply('add', [a, b]);
  }
  sub(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    return this.apply('sub', [a, b]);
  }
  mul(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    return this.apply('mul', [a, b]);
  }
  div(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    return this.apply('div', [a, b]);
  }
  scale(x: SymbolicTensor, alpha: number): SymbolicTensor {
    return this.apply('scale', [x], { alpha });
  }
  neg(x: SymbolicTensor): SymbolicTensor {
    return this.apply('neg', [x]);
  }
  relu(x: SymbolicTensor): SymbolicTensor {
    return this.apply('relu', [x]);
  }
  gelu(x: SymbolicTensor): SymbolicTensor {
    return this.apply('gelu', [x]);
  }
  silu(x: SymbolicTensor): SymbolicTensor {
    return this.apply('silu', [x]);
  }
  square(x: SymbolicTensor): SymbolicTensor {
    return this.apply('square', [x]);
  }
  exp(x: SymbolicTensor): SymbolicTensor {
    return this.apply('exp', [x]);
  }
  log(x: SymbolicTensor): SymbolicTensor {
    return this.apply('log', [x]);
  }
  sum(x: SymbolicTensor, axes?: number[], keepDims = false): SymbolicTensor {
    return this.apply('reduce_sum', [x], { axes, keepDims });
  }
  mean(x: SymbolicTensor, axes?: number[], keepDims = false): SymbolicTensor {
    return this.apply('reduce_mean', [x], { axes, keepDims });
  }
  max(x: SymbolicTensor, axes?: number[], keepDims = false): SymbolicTensor {
    return this.apply('reduce_max', [x], { axes, keepDims });
  }
  softmax(x: SymbolicTensor): SymbolicTensor {
    return this.apply('softmax', [x]);
  }
  logSoftmax(x: SymbolicTensor): SymbolicTensor {
    return this.apply('log_softmax', [x]);
  }
  transpose(x: SymbolicTensor, perm?: number[]): SymbolicTensor {
    return this.apply('transpose', [x], { perm });
  }
  reshape(x: SymbolicTensor, shape: Shape): SymbolicTensor {
    return this.apply('reshape', [x], { shape: [...shape] });
  }
  broadcastTo(x: SymbolicTensor, shape: Shape): SymbolicTensor {
    return this.apply('broadcast_to', [x], { shape: [...shape] });
  }
  /** Identity whose gradient is zero: nothing upstream of it is trained through it. */
  stopGradient(x: SymbolicTensor): SymbolicTensor {
    return this.apply('stop_gradient', [x]);
  }

  /**
   * C = act(op(A) @ op(B) + bias). ReLU is fused into the kernel (its gradient needs only the output);
   * GELU and SiLU need the pre-activation for their gradient, so they become a separate node.
   */
  matmul(a: SymbolicTensor, b: SymbolicTensor, options: MatmulAttrs & { bias?: SymbolicTensor } = {}): SymbolicTensor {
    const { bias, activation = 'none', ...rest } = options;
    const fused = activation === 'none' || activation === 'relu' ? activation : 'none';
    const inputs = bias ? [a, b, bias] : [a, b];
    const c = this.apply('matmul', inputs, { ...rest, activation: fused });
    return fused === activation ? c : this.apply(activation, [c]);
  }

  /**
   * Multi-head attention, softmax(scale * Q K^T, keys masked) V, with Q [B, Nq, H, dh], K and V
   * [B, Nk, H, dh] and an optional key mask [B, Nk] (1 keep, 0 drop); scale defaults to 1/sqrt(dh).
   * The fused kernel (no Nq x Nk matrix in memory) where it takes the head size; otherwise matmul +
   * softmax + matmul, with node names that say so (src/graph/attention.ts).
   */
  attention(q: SymbolicTensor, k: SymbolicTensor, v: SymbolicTensor, options: AttentionCallOptions = {}): SymbolicTensor {
    return buildAttention(this, q, k, v, options);
  }

  /** y = x W^T + b with W [out, in] as in PyTorch's nn.Linear. */
  linear(x: SymbolicTensor, weight: SymbolicTensor, bias?: SymbolicTensor, activation: Activation = 'none'): SymbolicTensor {
    return this.matmul(x, weight, { transB: true, bias, activation });
  }
}
