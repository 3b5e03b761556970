/**
 * Run one of our graphs with TF.js ops: the forward nodes that `targets` depend on, each executed by the
 * TF.js rule of its op (tfjs-ops-core.ts, tfjs-ops-model.ts), parameters as tf.variables initialised from
 * our values. So the TF.js side of a benchmark is the same architecture by construction, for any model
 * built from the supported ops, and trains with tf.variableGrads / optimizer.minimize.
 *
 * Layouts: values are kept with their axes in whatever order suits TF.js (tfjs-layout.ts). 4-D inputs are
 * fed NHWC (rearranged on the host once by layoutFeeds), conv weights live as HWIO variables, everything
 * else starts in our (logical) order; run() returns the targets in logical order.
 */
import type { Tensor as TfTensor, Variable } from '@tensorflow/tfjs-core';
import type { Graph, GraphNode, SymbolicTensor } from '../../src/graph/graph.js';
import type { Tf } from '../tfjs.js';
import { CORE_RULES, type OpRule } from './tfjs-ops-core.js';
import { MODEL_RULES } from './tfjs-ops-model.js';
import { identity, isIdentity, logicalShape, materialize, NHWC, permuteHost, plain, type Laid, type LayoutStats } from './tfjs-layout.js';

const RULES: Record<string, OpRule> = { ...CORE_RULES, ...MODEL_RULES };

/** Ops the interpreter can run. */
export const interpretedOps = (): string[] => Object.keys(RULES).sort();

/** A feed already in the storage order run() expects. */
export interface LaidFeed {
  readonly data: Float32Array;
  readonly shape: number[];
}

/** A parameter's variable; its storage is the parameter's axes in order `perm` (HWIO for conv weights). */
export interface TfjsParameter {
  readonly name: string;
  readonly variable: Variable;
  readonly perm: readonly number[];
}

export interface TfjsGraphModel {
  /** One trainable variable per parameter the targets depend on, in graph order. */
  readonly variables: Variable[];
  readonly parameters: readonly TfjsParameter[];
  /** Our feeds (logical layout) rearranged into the order run() takes them in; do it once, outside the step. */
  layoutFeeds(feeds: Record<string, Float32Array>): Record<string, LaidFeed>;
  /**
   * The targets' values, in our logical layout, from feeds made by layoutFeeds (uploaded here). Call it
   * inside tf.tidy, tf.variableGrads or optimizer.minimize: every intermediate is a plain TF.js tensor.
   */
  run(feeds: Record<string, LaidFeed>): TfTensor[];
  /** What the last run() spent on layout changes. */
  readonly lastStats: Readonly<LayoutStats>;
  /** Free the variables and the constant tensors. */
  dispose(): void;
}

let instances = 0;

/** Forward nodes `targets` depend on, in graph (topological) order. */
function neededNodes(targets: readonly SymbolicTensor[]): GraphNode[] {
  const seen = new Set<GraphNode>();
  const stack = targets.map((t) => t.node).filter((n): n is GraphNode => n !== null);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const t of n.inputs) if (t.node) stack.push(t.node);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/** Storage order of a parameter: what every consumer's rule asks for (conv weights HWIO), else logical. */
function paramOrder(param: SymbolicTensor, nodes: readonly GraphNode[]): number[] {
  const wanted = new Set<string>();
  for (const n of nodes) {
    n.inputs.forEach((t, i) => {
      if (t === param) wanted.add(JSON.stringify(RULES[n.op]!.paramLayout?.(i) ?? identity(param.shape.length)));
    });
  }
  return wanted.size === 1 ? (JSON.parse([...wanted][0]!) as number[]) : identity(param.shape.length);
}

/**
 * Build the TF.js model of `graph` up to `targets`, with parameter values from `state` (our
 * `parameters.read()`, by name). Throws naming any op the interpreter has no rule for.
 */
export function interpretGraph(tf: Tf, graph: Graph, targets: readonly SymbolicTensor[], state: Record<string, Float32Array>): TfjsGraphModel {
  const nodes = neededNodes(targets);
  const missing = [...new Set(nodes.map((n) => n.op).filter((op) => !RULES[op]))];
  if (missing.length > 0) throw new Error(`TF.js interpreter: no rule for op(s) ${missing.join(', ')}; add them in bench/graph/tfjs-ops-*.ts`);
  const id = ++instances;
  const leaves = [...new Set([...nodes.flatMap((n) => n.inputs), ...targets].filter((t) => t.node === null))].sort((a, b) => a.id - b.id);

  const fixed = new Map<SymbolicTensor, Laid>();
  const parameters: TfjsParameter[] = [];
  const owned: TfTensor[] = [];
  const inputOrder = new Map<string, number[]>();
  const prepared = new Map<GraphNode, TfTensor[]>();
  try {
    for (const t of leaves) {
      if (t.kind === 'param') {
        const values = state[t.name];
        if (!values) throw new Error(`TF.js interpreter: no initial value for parameter '${t.name}'`);
        const perm = paramOrder(t, nodes);
        const initial = tf.tensor(permuteHost(values, t.shape, perm), perm.map((d) => t.shape[d]!));
        const v = tf.variable(initial, true, `bench.langseg${id}.${t.name}`);
        initial.dispose();
        parameters.push({ name: t.name, variable: v, perm });
        fixed.set(t, { t: v, perm });
      } else if (t.kind === 'constant') {
        const c = tf.tensor(graph.constants.get(t)!, [...t.shape]);
        owned.push(c);
        fixed.set(t, plain(c));
      } else if (t.kind === 'input') {
        inputOrder.set(t.name, t.shape.length === 4 ? [...NHWC] : identity(t.shape.length));
      }
    }
    for (const n of nodes) {
      const list = RULES[n.op]!.prepare?.(tf, n) ?? [];
      prepared.set(n, list);
      owned.push(...list);
    }
  } catch (err) {
    for (const t of [...parameters.map((p) => p.variable), ...owned]) t.dispose();
    throw err;
  }
  const inputs = leaves.filter((t) => t.kind === 'input');
  const stats: LayoutStats = { transposes: 0 };

  const variables = parameters.map((p) => p.variable);
  return {
    variables,
    parameters,
    lastStats: stats,
    layoutFeeds(feeds) {
      const out: Record<string, LaidFeed> = {};
      for (const t of inputs) {
        const data = feeds[t.name];
        if (!data || data.length !== t.size) throw new Error(`TF.js interpreter: input '${t.name}' needs ${t.size} values, got ${data?.length ?? 'none'}`);
        const perm = inputOrder.get(t.name)!;
        out[t.name] = { data: permuteHost(data, t.shape, perm), shape: perm.map((d) => t.shape[d]!) };
      }
      return out;
    },
    run(feeds) {
      stats.transposes = 0;
      const env = new Map<SymbolicTensor, Laid>(fixed);
      for (const t of inputs) {
        const f = feeds[t.name];
        if (!f) throw new Error(`TF.js interpreter: no feed for input '${t.name}' (use layoutFeeds)`);
        env.set(t, { t: tf.tensor(f.data, f.shape), perm: inputOrder.get(t.name)! });
      }
      for (const node of nodes) {
        const args = node.inputs.map((t) => env.get(t)!);
        let out = RULES[node.op]!.run({ tf, node, prepared: prepared.get(node)!, stats }, args);
        const shape = logicalShape(out);
        if (shape.join() !== node.output.shape.join()) {
          if (!isIdentity(out.perm) || out.t.size !== node.output.size) {
            throw new Error(`TF.js interpreter: ${node.op} gave shape [${shape}] for ${node.output} (a bug in its rule)`);
          }
          out = plain(tf.reshape(out.t, [...node.output.shape]));
        }
        env.set(node.output, out);
      }
      return targets.map((t) => materialize(tf, env.get(t)!, stats));
    },
    dispose() {
      for (const t of [...variables, ...owned]) t.dispose();
    },
  };
}
