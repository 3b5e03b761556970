/**
 * The attention building blocks (src/model/transformer.ts) against a float64 evaluation of the same graph
 * through each op's CPU reference: forward on the GPU, and autodiff gradients for the input and every
 * parameter against central finite differences of that reference.
 */
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph, type SymbolicTensor } from '../../src/graph/graph.js';
import { multiHeadAttention, transformerBlock } from '../../src/model/transformer.js';
import { compare } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { evaluateReference } from '../helpers/reference-graph.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

async function checkBlock(build: (g: Graph, x: SymbolicTensor, kv: SymbolicTensor, mask: SymbolicTensor) => SymbolicTensor): Promise<void> {
  const [b, n, nk, d] = [2, 3, 4, 8];
  const g = new Graph();
  const x = g.input('x', [b, n, d]);
  const kv = g.input('kv', [b, nk, d]);
  const mask = g.input('mask', [b, nk]);
  const out = build(g, x, kv, mask);
  const r = randomValues(out.size, 5, -1, 1);
  const loss = g.sum(g.mul(out, g.constant(r, out.shape)));
  const params = [...g.params.keys()];
  const wrt = [x, kv, ...params];
  const grads = backward(g, loss, wrt);
  const exe = await compile(ctx.rt, g, { outputs: [out, ...grads.values()], seed: 3 });
  const feeds = { x: randomValues(x.size, 1), kv: randomValues(kv.size, 2), mask: Float32Array.from([1, 1, 0, 1, 1, 0, 0, 1]) };
  const got = await exe.run(feeds);
  const values: Record<string, Float32Array | Float64Array> = { ...feeds, ...(await exe.parameters.read()) };
  exe.destroy();

  const [want] = evaluateReference(g, values, [out]);
  const f = compare(got[out.name]!, want!.data, 1e-4, 1e-5);
  expect(f.ok, `forward: element ${f.worstIndex} is ${f.got}, reference ${f.want}`).toBe(true);

  const lossAt = (name: string, j: number, delta: number): number => {
    const perturbed = Float64Array.from(values[name]!);
    perturbed[j]! += delta;
    const [y] = evaluateReference(g, { ...values, [name]: perturbed }, [out]);
    return y!.data.reduce((s, v, i) => s + v * r[i]!, 0);
  };
  const h = 1e-4;
  for (const t of wrt) {
    const auto = got[grads.get(t)!.name]!;
    for (let j = 0; j < t.size; j++) {
      const numeric = (lossAt(t.name, j, h) - lossAt(t.name, j, -h)) / (2 * h);
      expect(Math.abs(auto[j]! - numeric) <= 2e-3 + 2e-3 * Math.abs(numeric), `d loss / d ${t.name}[${j}]: autodiff ${auto[j]} vs finite difference ${numeric}`).toBe(true);
    }
  }
}

describe('attention building blocks', () => {
  it('multiHeadAttention (cross-attention with a key mask and residual) matches the reference, gradients included', async () => {
    await checkBlock((g, x, kv, mask) => multiHeadAttention(g, 'cross', x, kv, { heads: 2, mask }));
  });

  it('transformerBlock (pre-norm, GELU MLP, self-attention with a key mask) matches the reference, gradients included', async () => {
    // Self-attention over kv's tokens with kv's padding mask; x is unused here.
    await checkBlock((g, _x, kv, mask) => transformerBlock(g, 'text.layers.0', kv, { heads: 2, mlpRatio: 2, mask }));
  });

  it('names parameters like the PyTorch mirror and refuses heads that do not divide the width', () => {
    const g = new Graph();
    const x = g.input('x', [1, 3, 8]);
    transformerBlock(g, 'enc.0', x, { heads: 2 });
    expect([...g.params.keys()].map((p) => `${p.name}${JSON.stringify(p.shape)}`)).toEqual([
      'enc.0.norm1.weight[8]', 'enc.0.norm1.bias[8]',
      'enc.0.attn.q_proj.weight[8,8]', 'enc.0.attn.q_proj.bias[8]',
      'enc.0.attn.k_proj.weight[8,8]', 'enc.0.attn.k_proj.bias[8]',
      'enc.0.attn.v_proj.weight[8,8]', 'enc.0.attn.v_proj.bias[8]',
      'enc.0.attn.out_proj.weight[8,8]', 'enc.0.attn.out_proj.bias[8]',
      'enc.0.norm2.weight[8]', 'enc.0.norm2.bias[8]',
      'enc.0.mlp.fc1.weight[32,8]', 'enc.0.mlp.fc1.bias[32]',
      'enc.0.mlp.fc2.weight[8,32]', 'enc.0.mlp.fc2.bias[8]',
    ]);
    expect(() => multiHeadAttention(g, 'bad', x, x, { heads: 3 })).toThrow(/3 heads do not divide the width 8/);
  });
});
