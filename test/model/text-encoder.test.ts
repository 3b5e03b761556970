/**
 * The language encoder against its PyTorch mirror (tools/pytorch/golden_text.py: mirror/text.py with
 * PyTorch's own weights): the parameter names, the descriptor embeddings and gradients of three weights.
 */
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { resolveConfig } from '../../src/model/config.js';
import { classEmbeddings, textEncoder } from '../../src/model/text-encoder.js';
import { expectClose } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

describe('language encoder', () => {
  it('matches the PyTorch mirror: names, embeddings and gradients', async () => {
    const { tensors, attrs } = loadGolden('model_text_encoder');
    const a = attrs as { vocab: number; dim: number; maxTokens: number; layers: number; heads: number; mlpRatio: number; offsets: number[]; ids: number[] };
    const cfg = resolveConfig('tiny', { embedDim: a.dim, crossHeads: 2, text: { layers: a.layers, heads: a.heads, maxTokens: a.maxTokens, mlpRatio: a.mlpRatio } });
    const mask = Float32Array.from(tensors.mask!.data);
    const g = new Graph();
    const t = textEncoder(g, cfg, { sequences: mask.length / a.maxTokens, maxTokens: a.maxTokens, mask, bagOffsets: a.offsets, bagIds: a.ids }, a.vocab);
    const state = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith('param:')).map(([k, v]) => [k.slice(6), Float32Array.from(v.data)]));
    expect([...g.params.keys()].map((p) => p.name).sort()).toEqual(Object.keys(state).sort());

    const loss = g.sum(g.mul(t, g.constant(tensors.grad_out!.data, t.shape)));
    const checked = Object.keys(tensors).filter((k) => k.startsWith('grad:')).map((k) => k.slice(5));
    const params = [...g.params.keys()].filter((p) => checked.includes(p.name));
    const grads = backward(g, loss, params);
    const exe = await compile(ctx.rt, g, { outputs: [t, ...grads.values()] });
    exe.parameters.write(state);
    const got = await exe.run();
    exe.destroy();
    expectClose('t', got[t.name]!, tensors.out!.data, 1e-4, 1e-5, 'PyTorch');
    for (const p of params) expectClose(`grad ${p.name}`, got[grads.get(p)!.name]!, tensors[`grad:${p.name}`]!.data, 1e-3, 1e-4, 'PyTorch');
  });

  it('gives unit vectors, and refuses a token batch that does not fit the config', async () => {
    const cfg = resolveConfig('tiny', { text: { maxTokens: 3 } });
    const g = new Graph();
    const tokens = { sequences: 2, maxTokens: 3, mask: Float32Array.from([1, 1, 0, 1, 0, 0]), bagOffsets: [0, 2, 3, 3, 4, 4, 4], bagIds: [1, 2, 3, 4] };
    const t = textEncoder(g, cfg, tokens, 10);
    expect(t.shape).toEqual([2, cfg.embedDim]);
    const exe = await compile(ctx.rt, g, { outputs: [t], seed: 1 });
    const got = (await exe.run())[t.name]!;
    exe.destroy();
    for (let s = 0; s < 2; s++) {
      const norm = Math.hypot(...got.subarray(s * cfg.embedDim, (s + 1) * cfg.embedDim));
      expect(Math.abs(norm - 1)).toBeLessThan(1e-3);
    }
    expect(() => textEncoder(new Graph(), resolveConfig('tiny'), tokens, 10)).toThrow(/3 slots per descriptor, but the config says text.maxTokens = 12/);
    const empty = { ...tokens, mask: Float32Array.from([1, 1, 0, 0, 0, 0]) };
    expect(() => textEncoder(new Graph(), cfg, empty, 10)).toThrow(/descriptor 1 has no tokens/);
    const c = classEmbeddings(new Graph(), cfg, 5);
    expect(c.shape).toEqual([5, cfg.embedDim]);
  });
});
