/**
 * The benchmarked model, written twice: as our symbolic graph and as TF.js ops on variables. Both sides
 * compute mean((MLP(x) - y)^2) with ReLU between layers and none after the last.
 */
import type { Scalar, Tensor as TfTensor, Variable } from '@tensorflow/tfjs-core';
import { Graph, type SymbolicTensor } from '../../src/graph/graph.js';
import type { Tf } from '../tfjs.js';

export interface MlpSpec {
  layers: number;
  width: number;
  batch: number;
}

/** Our graph of the MLP and its loss; weights are [out, in] as in nn.Linear, biases start at zero. */
export function mlpGraph({ layers, width, batch }: MlpSpec): { graph: Graph; loss: SymbolicTensor } {
  const g = new Graph();
  const x = g.input('x', [batch, width]);
  const y = g.input('y', [batch, width]);
  let h = x;
  for (let i = 0; i < layers; i++) {
    const w = g.param(`layers.${i}.weight`, [width, width]);
    const b = g.param(`layers.${i}.bias`, [width], { kind: 'zeros' });
    h = g.linear(h, w, b, i < layers - 1 ? 'relu' : 'none');
  }
  return { graph: g, loss: g.mean(g.square(g.sub(h, y))) };
}

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

let instances = 0;

/** A trainable variable holding `initial`'s values; `initial` is disposed (the variable shares its data). */
function variableFrom(tf: Tf, initial: TfTensor, name: string): Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

export interface TfjsMlp {
  /** Mutable because optimizer.minimize() takes a Variable[]. */
  readonly variables: Variable[];
  /** The loss of the model on (x, y); call inside a tidy or a gradient scope. */
  loss(x: TfTensor, y: TfTensor): Scalar;
  dispose(): void;
}

/**
 * The same MLP as TF.js variables, initialised from our state dict so both sides start identical. TF.js
 * keeps dense kernels as [in, out] (its natural layout, what tf.layers.dense uses), so weights are transposed.
 * Training it needs ensureTfjsGradients() first.
 */
export function tfjsMlp(tf: Tf, { layers, width }: MlpSpec, state: Record<string, Float32Array>): TfjsMlp {
  instances++;
  const weights: Variable[] = [];
  const biases: Variable[] = [];
  for (let i = 0; i < layers; i++) {
    const w = state[`layers.${i}.weight`];
    const b = state[`layers.${i}.bias`];
    if (!w || !b) throw new Error(`tfjsMlp: layer ${i} is missing from the state dict`);
    // Unique names: TF.js variables live in one global registry for the whole process.
    const id = `bench.mlp${instances}.layers.${i}`;
    weights.push(variableFrom(tf, tf.tensor2d(transpose(w, width, width), [width, width]), `${id}.kernel`));
    biases.push(variableFrom(tf, tf.tensor1d(b), `${id}.bias`));
  }
  return {
    variables: [...weights, ...biases],
    loss(x, y) {
      let h = x;
      for (let i = 0; i < layers; i++) {
        // Not tf.fused.matMul: under a gradient tape TF.js unfuses a ReLU epilogue into exactly these
        // three kernels anyway (fused_util.shouldFuse), and a linear one would need Reshape gradients.
        const z = tf.add(tf.matMul(h, weights[i]!), biases[i]!);
        h = i < layers - 1 ? tf.relu(z) : z;
      }
      return tf.mean(tf.square(tf.sub(h, y)));
    },
    dispose() {
      for (const v of [...weights, ...biases]) v.dispose();
    },
  };
}
