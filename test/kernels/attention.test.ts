/**
 * Fused attention against its float64 CPU reference: forward output and row log-sum-exp, and the three
 * gradients of the fused backward, over sizes that are not multiples of the kernel's blocks, Nq = 1,
 * Nk = 1, a key-padding mask and fully masked rows (output and gradients 0, no NaN).
 */
import { describe, expect, it } from 'vitest';
import { attentionBackwardPlan, attentionPlan } from '../../src/kernels/attention/attention.js';
import { attentionBackwardReference, attentionReference } from '../../src/kernels/attention/reference.js';
import { runPlanOutputs } from '../../src/kernels/launch.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import { subgroupsOf8 } from '../../src/kernels/matmul/select.js';
import { host } from '../../src/kernels/reference.js';
import { sizeOf } from '../../src/kernels/shape.js';
import type { Tensor } from '../../src/kernels/tensor.js';
import { checkOp, expectClose } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();


interface Case {
  b: number;
  nq: number;
  nk: number;
  h: number;
  dh: number;
  mask?: 'random' | 'first-batch-empty';
  scale?: number;
}

function maskValues(c: Case, seed: number): Float32Array | null {
  if (!c.mask) return null;
  const values = randomValues(c.b * c.nk, seed, 0, 1).map((x) => (x < 0.3 ? 0 : 1));
  for (let b = 0; b < c.b; b++) values[b * c.nk] = 1; // every batch keeps a key...
  if (c.mask === 'first-batch-empty') values.fill(0, 0, c.nk); // ...but this one drops them all
  return values;
}

const CASES: Case[] = [
  { b: 1, nq: 5, nk: 7, h: 2, dh: 8 },
  { b: 2, nq: 70, nk: 33, h: 3, dh: 16 }, // past one workgroup of queries; keys not a multiple of 4
  { b: 1, nq: 1, nk: 1, h: 1, dh: 4 },
  { b: 1, nq: 1, nk: 9, h: 2, dh: 32 },
  { b: 2, nq: 6, nk: 1, h: 1, dh: 12 },
  { b: 3, nq: 9, nk: 10, h: 2, dh: 8, mask: 'random' },
  { b: 2, nq: 4, nk: 6, h: 2, dh: 8, mask: 'first-batch-empty' },
  { b: 1, nq: 3, nk: 5, h: 1, dh: 128, scale: 0.05 },
];

const label = (c: Case) => `B${c.b} Nq${c.nq} Nk${c.nk} H${c.h} dh${c.dh}${c.mask ? ` mask:${c.mask}` : ''}`;

// The portable kernel everywhere; the subgroup kernel where subgroups are 8 lanes (lavapipe).
describe.each(['portable', 'subgroup'])('fused attention (%s)', (kind) => {
  for (const [n, c] of CASES.entries()) {
    it(`forward and backward match the reference: ${label(c)}`, async (test) => {
      const { rt } = ctx;
      const target = kind === 'subgroup' ? matmulTarget(rt) : undefined;
      if (target && !subgroupsOf8(target)) test.skip(`this adapter's subgroups are not 8 lanes: the subgroup kernel is not used here`);
      const qs = [c.b, c.nq, c.h, c.dh];
      const ks = [c.b, c.nk, c.h, c.dh];
      const seed = 100 + 10 * n;
      const [qv, kv, vv, dov] = [qs, ks, ks, qs].map((s, i) => randomValues(sizeOf(s), seed + i, -2, 2));
      const mv = maskValues(c, seed + 5);
      const q = rt.upload(qv!, qs, 'f32', 'q');
      const k = rt.upload(kv!, ks, 'f32', 'k');
      const v = rt.upload(vv!, ks, 'f32', 'v');
      const dout = rt.upload(dov!, qs, 'f32', 'dout');
      const mask = mv ? rt.upload(mv, [c.b, c.nk], 'f32', 'mask') : null;
      const options = { scale: c.scale };
      const m = mask ? [mask] : [];
      const forward = attentionPlan(qs, ks, ks, mask?.shape ?? null, options, target);
      expect(forward.variant).toBe(kind === 'subgroup' ? 'fused (subgroup)' : 'fused');
      const [o, lse] = (await runPlanOutputs(rt, forward, [q, k, v, ...m], 'attention')) as [Tensor, Tensor];
      const backward = attentionBackwardPlan(qs, ks, ks, qs, lse.shape, qs, mask?.shape ?? null, options, target);
      const [dq, dk, dv] = (await runPlanOutputs(rt, backward, [q, k, v, o, lse, dout, ...m], 'attention_backward')) as [Tensor, Tensor, Tensor];

      const scale = c.scale ?? 1 / Math.sqrt(c.dh);
      const hm = mv ? host([c.b, c.nk], mv) : null;
      const ref = attentionReference(host(qs, qv!), host(ks, kv!), host(ks, vv!), hm, scale);
      const grads = attentionBackwardReference(host(qs, qv!), host(ks, kv!), host(ks, vv!), host(qs, dov!), hm, scale);
      const got = await Promise.all([o, lse, dq, dk, dv].map((t) => rt.read(t)));
      for (const t of [q, k, v, dout, o, lse, dq, dk, dv, ...(mask ? [mask] : [])]) t.destroy();

      for (const x of got) expect(x.every(Number.isFinite) || x === got[1], 'no NaN or inf').toBe(true);
      expectClose('O', got[0]!, ref.o.data, 1e-4, 1e-5);
      // A fully masked row's log-sum-exp is -inf in the reference; the kernel writes a large negative sentinel.
      const lseWant = ref.lse.data.map((x) => (x === -Infinity ? -3e38 : x));
      expectClose('lse', got[1]!, lseWant, 1e-5, 1e-5);
      expectClose('dQ', got[2]!, grads.dq.data, 1e-3, 1e-5);
      expectClose('dK', got[3]!, grads.dk.data, 1e-3, 1e-5);
      expectClose('dV', got[4]!, grads.dv.data, 1e-3, 1e-5);
    });
  }

});

describe('attention op', () => {
  it('runs through the op table (checkOp) with and without a mask', async () => {
    await checkOp(ctx.rt, 'attention', [[2, 5, 2, 8], [2, 6, 2, 8], [2, 6, 2, 8]], { rtol: 1e-4, atol: 1e-5 });
    const mask = Float32Array.from([1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    await checkOp(ctx.rt, 'attention', [[2, 3, 1, 4], [2, 6, 1, 4], [2, 6, 1, 4], [2, 6]], {
      values: [randomValues(24, 1), randomValues(48, 2), randomValues(48, 3), mask],
      rtol: 1e-4,
      atol: 1e-5,
    });
  });

  it('refuses mismatched shapes with the numbers', async () => {
    const { getOp } = await import('../../src/graph/ops/index.js');
    const spec = (shape: number[]) => ({ shape, dtype: 'f32' as const });
    const infer = (shapes: number[][], attrs = {}) => getOp('attention').infer(shapes.map(spec), attrs);
    expect(() => infer([[1, 4, 2, 8], [1, 5, 2, 8], [1, 6, 2, 8]])).toThrow(/v must have k's shape \[1, 5, 2, 8\]/);
    expect(() => infer([[1, 4, 2, 8], [1, 5, 3, 8], [1, 5, 3, 8]])).toThrow(/k must be \[1, Nk, 2, 8\]/);
    expect(() => infer([[1, 4, 8], [1, 5, 8], [1, 5, 8]])).toThrow(/q must be \[batch, tokens, heads, head size\]/);
    expect(() => infer([[1, 4, 2, 8], [1, 5, 2, 8], [1, 5, 2, 8], [1, 4]])).toThrow(/key mask must be \[batch, Nk\] = \[1, 5\]/);
    expect(() => infer([[1, 4, 2, 6], [1, 5, 2, 6], [1, 5, 2, 6]])).toThrow(/head size 6 is not a multiple of 4/);
    expect(() => infer([[1, 4, 1, 256], [1, 5, 1, 256], [1, 5, 1, 256]])).toThrow(/over the fused kernel's 128/);
    expect(() => infer([[1, 4, 2, 8], [1, 0, 2, 8], [1, 0, 2, 8]])).toThrow(/no keys/);
  });
});
