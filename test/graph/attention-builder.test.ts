/**
 * Graph.attention: the fused op where the kernel takes the head size, matmul + softmax + matmul where it
 * does not (head size not a multiple of 4, or over 128), with the same results and gradients, fully
 * masked rows included, and a name (profile) that says which ran.
 */
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { attentionBackwardReference, attentionReference } from '../../src/kernels/attention/reference.js';
import { host } from '../../src/kernels/reference.js';
import { sizeOf } from '../../src/kernels/shape.js';
import { expectClose } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();


describe('Graph.attention', () => {
  // [head size, expected form]
  const forms: [number, 'fused' | 'composed'][] = [
    [8, 'fused'],
    [6, 'composed'],
    [132, 'composed'],
  ];
  for (const [dh, form] of forms) {
    it(`head size ${dh}: ${form}, forward and gradients match the reference (with a fully masked batch)`, async () => {
      const [b, nq, nk, h] = [2, 5, 7, 2];
      const qs = [b, nq, h, dh];
      const ks = [b, nk, h, dh];
      const g = new Graph();
      const q = g.input('q', qs);
      const k = g.input('k', ks);
      const v = g.input('v', ks);
      const mask = g.input('mask', [b, nk]);
      const out = g.attention(q, k, v, { mask, name: 'attn' });
      expect(out.name.includes('composed'), `output name ${out.name}`).toBe(form === 'composed');
      if (form === 'composed') expect(out.name).toMatch(dh === 6 ? /composed\[head size 6 is not a multiple of 4\]/ : /over the fused kernel's 128/);
      const r = randomValues(out.size, 9, -1, 1);
      const loss = g.sum(g.mul(out, g.constant(r, out.shape)));
      const grads = backward(g, loss, [q, k, v]);
      const exe = await compile(ctx.rt, g, { outputs: [out, ...grads.values()] });
      const values = [qs, ks, ks].map((s, i) => randomValues(sizeOf(s), 40 + i, -1.5, 1.5));
      const maskValues = Float32Array.from({ length: b * nk }, (_, i) => (i < nk ? 0 : i % 3 === 0 ? 0 : 1)); // batch 0: all dropped
      const got = await exe.run({ q: values[0]!, k: values[1]!, v: values[2]!, mask: maskValues });
      exe.destroy();

      const scale = 1 / Math.sqrt(dh);
      const [hq, hk, hv] = values.map((x, i) => host([qs, ks, ks][i]!, x)) as [ReturnType<typeof host>, ReturnType<typeof host>, ReturnType<typeof host>];
      const hm = host([b, nk], maskValues);
      const want = attentionReference(hq, hk, hv, hm, scale);
      const dwant = attentionBackwardReference(hq, hk, hv, host(qs, r), hm, scale);
      expectClose('out', got[out.name]!, want.o.data, 1e-4, 1e-5);
      expectClose('dq', got[grads.get(q)!.name]!, dwant.dq.data, 1e-3, 1e-5);
      expectClose('dk', got[grads.get(k)!.name]!, dwant.dk.data, 1e-3, 1e-5);
      expectClose('dv', got[grads.get(v)!.name]!, dwant.dv.data, 1e-3, 1e-5);
      // Batch 0 drops every key: output and gradients there are exactly 0.
      expect(got[out.name]!.slice(0, nq * h * dh).every((x) => x === 0)).toBe(true);
    });
  }

  it('says in the profile which attention kernel ran', async (test) => {
    if (!ctx.dev.features.has('timestamp-query')) test.skip('this device has no timestamp-query');
    const g = new Graph();
    const q = g.input('q', [1, 9, 2, 8]);
    const kv = g.input('kv', [1, 4, 2, 8]);
    const out = g.attention(q, kv, kv);
    const exe = await compile(ctx.rt, g, { outputs: [out] });
    const rows = await exe.profile({ q: randomValues(144, 1), kv: randomValues(64, 2) });
    exe.destroy();
    const row = rows.find((r) => r.op === 'attention')!;
    expect(row.variant).toMatch(/^fused/);
  });
});
