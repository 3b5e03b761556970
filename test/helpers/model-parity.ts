/**
 * Parity of a model component with its PyTorch mirror through a golden fixture (tools/pytorch/golden_*.py):
 * `param:<name>` tensors are the mirror's state dict in its order, `out:<key>` its outputs, and
 * `grad:<name>` the gradients of its scalar loss with respect to a graph input or parameter of that name.
 */
import { expect } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import type { Graph, SymbolicTensor } from '../../src/graph/graph.js';
import type { KernelRuntime } from '../../src/kernels/runtime.js';
import { expectClose } from './check-op.js';
import type { GoldenFixture } from './golden.js';

/** The fixture's state dict as Float32Arrays, in the fixture's (PyTorch's) order. */
export function stateDictOf(f: GoldenFixture): Record<string, Float32Array> {
  const entries = Object.entries(f.tensors).filter(([k]) => k.startsWith('param:'));
  return Object.fromEntries(entries.map(([k, v]) => [k.slice('param:'.length), Float32Array.from(v.data)]));
}

/** The graph's parameters are the mirror's state dict: the same names, in the same order, with the same shapes. */
export function expectSameParameters(g: Graph, f: GoldenFixture): void {
  const ours = [...g.params.keys()].map((p) => `${p.name}[${p.shape.join(',')}]`);
  const theirs = Object.entries(f.tensors)
    .filter(([k]) => k.startsWith('param:'))
    .map(([k, v]) => `${k.slice('param:'.length)}[${v.shape.join(',')}]`);
  expect(ours).toEqual(theirs);
}

export interface ParityRun {
  feeds: Record<string, ArrayLike<number>>;
  /** Fixture key without `out:` -> the graph tensor that should equal it. */
  outputs: Record<string, SymbolicTensor>;
  /** The scalar whose gradients the fixture's `grad:*` entries are. */
  loss: SymbolicTensor;
}

/**
 * Load the fixture's weights, run, and compare every output (rtol 1e-4, atol 1e-5) and every `grad:<name>`
 * (rtol 1e-3, atol 1e-4) with PyTorch.
 */
export async function expectParity(rt: KernelRuntime, g: Graph, f: GoldenFixture, run: ParityRun): Promise<void> {
  const byName = new Map(g.tensors.filter((t) => t.kind === 'input' || t.kind === 'param').map((t) => [t.name, t]));
  const wrt = Object.keys(f.tensors)
    .filter((k) => k.startsWith('grad:'))
    .map((k) => {
      const t = byName.get(k.slice('grad:'.length));
      if (!t) throw new Error(`fixture gradient ${k} names no input or parameter of the graph`);
      return t;
    });
  const grads = backward(g, run.loss, wrt);
  const exe = await compile(rt, g, { outputs: [...Object.values(run.outputs), ...grads.values()] });
  try {
    exe.parameters.write(stateDictOf(f));
    const got = await exe.run(run.feeds);
    for (const [key, t] of Object.entries(run.outputs)) {
      const want = f.tensors[`out:${key}`];
      if (!want) throw new Error(`fixture has no out:${key}`);
      expect(t.shape, `${key} shape`).toEqual(want.shape);
      expectClose(key, got[t.name]!, want.data, 1e-4, 1e-5, 'PyTorch');
    }
    for (const t of wrt) expectClose(`grad ${t.name}`, got[grads.get(t)!.name]!, f.tensors[`grad:${t.name}`]!.data, 1e-3, 1e-4, 'PyTorch');
  } finally {
    exe.destroy();
  }
}

/** sum over i of sum(outputs[i] * weights[i]): the loss whose gradients a fixture records. */
export function weightedSum(g: Graph, outputs: SymbolicTensor[], weights: ArrayLike<number>[]): SymbolicTensor {
  const terms = outputs.map((t, i) => g.sum(g.mul(t, g.constant(weights[i]!, t.shape))));
  return terms.reduce((acc, term) => g.add(acc, term));
}
