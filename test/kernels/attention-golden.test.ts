/**
 * Fused attention against PyTorch's explicit softmax(Q K^T / sqrt(d)) V (tools/pytorch/golden_attention.py),
 * with and without a key mask: the output, and dQ, dK, dV through the graph's autodiff (so the gradient
 * rule, the aux output and the fused backward are checked together).
 */
import { describe, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { expectClose as close } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';


const expectClose = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number) =>
  close(what, got, want, rtol, atol, 'PyTorch');
const ctx = useRuntime();


describe('attention vs PyTorch', () => {
  for (const name of ['attention_cross', 'attention_masked']) {
    it(`${name}: output and the gradients of q, k and v`, async () => {
      const { tensors: t } = loadGolden(name);
      const g = new Graph();
      const q = g.input('q', t.q!.shape);
      const k = g.input('k', t.k!.shape);
      const v = g.input('v', t.v!.shape);
      const mask = t.mask ? g.input('mask', t.mask.shape) : undefined;
      const out = g.attention(q, k, v, { mask });
      const loss = g.sum(g.mul(out, g.constant(t.grad_out!.data, out.shape)));
      const grads = backward(g, loss, [q, k, v]);
      const exe = await compile(ctx.rt, g, { outputs: [out, ...grads.values()] });
      const feeds: Record<string, ArrayLike<number>> = { q: t.q!.data, k: t.k!.data, v: t.v!.data };
      if (t.mask) feeds.mask = t.mask.data;
      const got = await exe.run(feeds);
      exe.destroy();
      // N(0, 1) inputs: f32 on both sides over rows of <= 33 keys; the tolerances allow a few ulps of
      // exp2 and of summation-order differences.
      expectClose('out', got[out.name]!, t.out!.data, 1e-4, 1e-5);
      expectClose('grad_q', got[grads.get(q)!.name]!, t.grad_q!.data, 1e-3, 1e-5);
      expectClose('grad_k', got[grads.get(k)!.name]!, t.grad_k!.data, 1e-3, 1e-5);
      expectClose('grad_v', got[grads.get(v)!.name]!, t.grad_v!.data, 1e-3, 1e-5);
    });
  }
});
