import { describe, expect, it } from 'vitest';
import { matmul, matmulPlan } from '../../src/kernels/matmul/matmul.js';
import { chooseMatmul, MATMUL_ALGORITHMS } from '../../src/kernels/matmul/select.js';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

// f32 accumulation over K terms of size ~4: error grows like sqrt(K) ulp of the partial sums.
const TOL = { rtol: 1e-5, atol: 2e-5 };

// [M, K, N]: size 1, odd sizes, and sizes that are not multiples of any tile (8x8, 32x128, 64x64).
const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 5, 4],
  [7, 13, 5],
  [33, 17, 20],
  [64, 64, 64],
  [130, 70, 92],
];

describe.each(MATMUL_ALGORITHMS)('matmul, %s', (algorithm) => {
  it('runs as itself here (not a fallback) where the adapter allows', () => {
    const a = ctx.rt.upload(new Float32Array(4 * 8), [4, 8]);
    const b = ctx.rt.upload(new Float32Array(8 * 16), [8, 16]);
    const plan = matmulPlan(ctx.rt, a, b, { algorithm });
    // Lavapipe (CI) has 8-lane subgroups, so every algorithm must be exercised by the cases below.
    if (ctx.dev.adapter.vendor === 'mesa') expect(plan.algorithm).toBe(algorithm);
  });

  it('plain A @ B over awkward sizes', async () => {
    for (const [m, k, n] of SIZES) await checkOp(ctx.rt, 'matmul', [[m, k], [k, n]], { attrs: { algorithm }, ...TOL });
  });

  it('transposed operands', async () => {
    const sizes: [number, number, number][] = [[7, 13, 5], [33, 17, 20], [65, 9, 36]];
    for (const [m, k, n] of sizes) {
      await checkOp(ctx.rt, 'matmul', [[k, m], [k, n]], { attrs: { algorithm, transA: true }, ...TOL });
      await checkOp(ctx.rt, 'matmul', [[m, k], [n, k]], { attrs: { algorithm, transB: true }, ...TOL });
      await checkOp(ctx.rt, 'matmul', [[k, m], [n, k]], { attrs: { algorithm, transA: true, transB: true }, ...TOL });
    }
  });

  it('batched, with a broadcast operand', async () => {
    await checkOp(ctx.rt, 'matmul', [[3, 9, 11], [3, 11, 8]], { attrs: { algorithm }, ...TOL });
    await checkOp(ctx.rt, 'matmul', [[3, 9, 11], [11, 8]], { attrs: { algorithm }, ...TOL });
    await checkOp(ctx.rt, 'matmul', [[1, 9, 11], [4, 11, 12]], { attrs: { algorithm }, ...TOL });
  });

  it('bias per row (a 1x1 conv as [channels, pixels])', async () => {
    await checkOp(ctx.rt, 'matmul', [[5, 7], [7, 8], [5]], { attrs: { algorithm, biasPerRow: true, activation: 'relu' }, ...TOL });
    await checkOp(ctx.rt, 'matmul', [[6, 3], [2, 3, 12], [6]], { attrs: { algorithm, biasPerRow: true }, ...TOL });
  });

  it('fused bias + activation epilogue', async () => {
    for (const activation of ['none', 'relu', 'gelu', 'silu']) {
      await checkOp(ctx.rt, 'matmul', [[2, 19, 23], [23, 12], [12]], { attrs: { algorithm, activation }, ...TOL });
    }
  });
});

describe('matmul algorithm selection', () => {
  it('picks barrier-free register tiling on software adapters and workgroup tiling on GPUs', () => {
    const base = { vendor: 'mesa', architecture: 'software', device: '', description: 'llvmpipe', subgroupMinSize: 8, subgroupMaxSize: 8 };
    const sw = { adapter: { ...base, isSoftware: true }, features: new Set(['subgroups']) };
    const swNoSubgroups = { adapter: { ...base, isSoftware: true }, features: new Set<string>() };
    const swWideSubgroups = { adapter: { ...base, isSoftware: true, subgroupMaxSize: 16 }, features: new Set(['subgroups']) };
    const gpu = { adapter: { ...base, vendor: 'nvidia', isSoftware: false, subgroupMinSize: 32, subgroupMaxSize: 32 }, features: new Set(['subgroups']) };
    const p = { m: 64, n: 64, k: 64, transA: false, transB: false };
    expect(chooseMatmul(sw, p).algorithm).toBe('register-tiled-subgroup');
    expect(chooseMatmul(swNoSubgroups, p).algorithm).toBe('register-tiled-vec4');
    expect(chooseMatmul(swWideSubgroups, p).algorithm).toBe('register-tiled-vec4');
    expect(chooseMatmul(sw, { ...p, n: 63 }).algorithm).toBe('register-tiled');
    // A transposed B is copied once into [K, N] so the fast kernel can read it along N.
    expect(chooseMatmul(sw, { ...p, transB: true })).toMatchObject({ algorithm: 'register-tiled-subgroup', pretransposeB: true });
    expect(chooseMatmul(gpu, p).algorithm).toBe('workgroup-tiled');
    expect(chooseMatmul(gpu, { ...p, transB: true })).toMatchObject({ algorithm: 'workgroup-tiled', pretransposeB: false });
  });

  it('reports the plan it will run', () => {
    const a = ctx.rt.upload(new Float32Array(4 * 8), [4, 8]);
    const b = ctx.rt.upload(new Float32Array(8 * 3), [8, 3]);
    // N = 3 is not a multiple of 4, so neither vec4 kernel can be used even when pinned.
    expect(matmulPlan(ctx.rt, a, b, { algorithm: 'register-tiled-vec4' }).algorithm).toBe('register-tiled');
    expect(matmulPlan(ctx.rt, a, b, { algorithm: 'register-tiled-subgroup' }).algorithm).toBe('register-tiled');
  });

  it('a large product is right in sampled elements (1024 x 1024 x 1024)', async () => {
    const n = 1024;
    const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
    const b = new Float32Array(n * n).map((_, i) => Math.cos(i * 0.5));
    const c = await ctx.rt.read(await matmul(ctx.rt, ctx.rt.upload(a, [n, n]), ctx.rt.upload(b, [n, n])));
    for (let s = 0; s < 32; s++) {
      const i = (s * 131) % n;
      const j = (s * 977) % n;
      let want = 0;
      for (let k = 0; k < n; k++) want += a[i * n + k]! * b[k * n + j]!;
      expect(Math.abs(c[i * n + j]! - want)).toBeLessThan(1e-3 * (1 + Math.abs(want)));
    }
  });
});
