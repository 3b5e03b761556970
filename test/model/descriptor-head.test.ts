/**
 * The descriptor-scoring head against a float64 computation of the same formula, and its gradients with
 * respect to pixels and descriptors against central finite differences of that computation.
 */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { descriptorScores, l2Normalize } from '../../src/model/descriptor-head.js';
import { expectClose as close } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';


const expectClose = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number) =>
  close(what, got, want, rtol, atol, 'float64');
const ctx = useRuntime();

interface Problem {
  b: number;
  d: number;
  h: number;
  w: number;
  k: number;
  groups: number[];
  tau: number;
  eps: number;
}

/** Float64 descriptor scores [B, K, H, W] and class scores [B, C, H, W], straight from the formula. */
function headReference(p: Problem, pixels: ArrayLike<number>, descriptors: ArrayLike<number>): { s: Float64Array; classes: Float64Array } {
  const hw = p.h * p.w;
  const c = p.groups.length - 1;
  const t = new Float64Array(p.k * p.d);
  for (let k = 0; k < p.k; k++) {
    let n = 0;
    for (let j = 0; j < p.d; j++) n += descriptors[k * p.d + j]! ** 2;
    for (let j = 0; j < p.d; j++) t[k * p.d + j] = descriptors[k * p.d + j]! / Math.sqrt(n + p.eps);
  }
  const s = new Float64Array(p.b * p.k * hw);
  const classes = new Float64Array(p.b * c * hw);
  for (let b = 0; b < p.b; b++) {
    for (let q = 0; q < hw; q++) {
      const e = (j: number) => pixels[(b * p.d + j) * hw + q]!;
      let n = 0;
      for (let j = 0; j < p.d; j++) n += e(j) ** 2;
      const inv = 1 / Math.sqrt(n + p.eps);
      for (let k = 0; k < p.k; k++) {
        let dot = 0;
        for (let j = 0; j < p.d; j++) dot += e(j) * inv * t[k * p.d + j]!;
        s[(b * p.k + k) * hw + q] = p.tau * dot;
      }
      for (let ci = 0; ci < c; ci++) {
        const members = Array.from({ length: p.groups[ci + 1]! - p.groups[ci]! }, (_, i) => s[(b * p.k + p.groups[ci]! + i) * hw + q]!);
        const m = Math.max(...members);
        classes[(b * c + ci) * hw + q] = m + Math.log(members.reduce((acc, v) => acc + Math.exp(v - m), 0));
      }
    }
  }
  return { s, classes };
}


describe('descriptorScores', () => {
  it('matches the float64 formula: normalise, score, group log-sum-exp', async () => {
    const p: Problem = { b: 2, d: 7, h: 3, w: 5, k: 6, groups: [0, 2, 3, 6], tau: 10, eps: 1e-6 };
    const pixels = randomValues(p.b * p.d * p.h * p.w, 1);
    const descriptors = randomValues(p.k * p.d, 2);
    const g = new Graph();
    const px = g.input('pixels', [p.b, p.d, p.h, p.w]);
    const ds = g.input('descriptors', [p.k, p.d]);
    const out = descriptorScores(g, px, ds, p.groups, { tau: p.tau });
    expect(out.descriptorScores.shape).toEqual([2, 6, 3, 5]);
    expect(out.classScores.shape).toEqual([2, 3, 3, 5]);
    const exe = await compile(ctx.rt, g, { outputs: [out.descriptorScores, out.classScores] });
    const got = await exe.run({ pixels, descriptors });
    exe.destroy();
    const want = headReference(p, pixels, descriptors);
    // Scores are tau * cosine in [-10, 10]: f32 rounding of the normalisations and the dot product.
    expectClose('descriptor scores', got[out.descriptorScores.name]!, want.s, 1e-5, 2e-5);
    expectClose('class scores', got[out.classScores.name]!, want.classes, 1e-5, 2e-5);
  });

  it('passes gradients to pixels and descriptors (finite differences of the float64 formula)', async () => {
    const p: Problem = { b: 2, d: 3, h: 2, w: 2, k: 4, groups: [0, 1, 4], tau: 3, eps: 1e-6 };
    const pixels = randomValues(p.b * p.d * p.h * p.w, 3);
    const descriptors = randomValues(p.k * p.d, 4);
    const g = new Graph();
    const px = g.input('pixels', [p.b, p.d, p.h, p.w]);
    const ds = g.input('descriptors', [p.k, p.d]);
    const out = descriptorScores(g, px, ds, p.groups, { tau: p.tau });
    // Weight both outputs so the gradient reaches the inputs through the group log-sum-exp and around it.
    const rs = randomValues(out.descriptorScores.size, 5, -1, 1);
    const rc = randomValues(out.classScores.size, 6, -1, 1);
    const loss = g.add(
      g.sum(g.mul(out.descriptorScores, g.constant(rs, out.descriptorScores.shape))),
      g.sum(g.mul(out.classScores, g.constant(rc, out.classScores.shape))),
    );
    const grads = backward(g, loss, [px, ds]);
    const exe = await compile(ctx.rt, g, { outputs: [loss, grads.get(px)!, grads.get(ds)!] });
    const got = await exe.run({ pixels, descriptors });
    exe.destroy();

    const lossRef = (pv: ArrayLike<number>, dv: ArrayLike<number>) => {
      const { s, classes } = headReference(p, pv, dv);
      let total = 0;
      s.forEach((v, i) => (total += v * rs[i]!));
      classes.forEach((v, i) => (total += v * rc[i]!));
      return total;
    };
    const base = [Float64Array.from(pixels), Float64Array.from(descriptors)] as const;
    expect(Math.abs(got[loss.name]![0]! - lossRef(...base))).toBeLessThan(1e-4);
    const step = 1e-5;
    for (const [which, tensor] of [[0, px], [1, ds]] as const) {
      const auto = got[grads.get(tensor)!.name]!;
      for (let j = 0; j < tensor.size; j++) {
        const plus = [base[0].slice(), base[1].slice()] as const;
        const minus = [base[0].slice(), base[1].slice()] as const;
        plus[which][j]! += step;
        minus[which][j]! -= step;
        const numeric = (lossRef(...plus) - lossRef(...minus)) / (2 * step);
        expect(
          Math.abs(auto[j]! - numeric) <= 1e-3 + 1e-3 * Math.abs(numeric),
          `d loss / d ${tensor.name}[${j}]: autodiff ${auto[j]} vs finite difference ${numeric}`,
        ).toBe(true);
      }
    }
  });

  it('rejects inputs of the wrong shape with ShapeError', () => {
    const g = new Graph();
    const px = g.input('pixels', [1, 4, 2, 2]);
    const flat = g.input('flat', [4, 4]);
    const ds = g.input('descriptors', [3, 4]);
    const wrongD = g.input('wrongD', [3, 5]);
    expect(() => descriptorScores(g, flat, ds, [0, 3], { tau: 1 })).toThrow(/pixels must be \[B, D, H, W\], got \[4, 4\]/);
    expect(() => descriptorScores(g, px, wrongD, [0, 3], { tau: 1 })).toThrow(/descriptors must be \[K, D\] with D = 4.*got \[3, 5\]/);
    expect(() => descriptorScores(g, px, ds, [0, 2], { tau: 1 })).toThrow(ShapeError);
    expect(() => descriptorScores(g, px, ds, [0, 2], { tau: 1 })).toThrow(/groups must end at K = 3/);
    expect(() => descriptorScores(g, px, ds, [0, 3], { tau: Number.NaN })).toThrow(/tau must be a finite number/);
    expect(() => l2Normalize(g, ds, 2)).toThrow(/axis 2 is out of range/);
  });
});

describe('l2Normalize', () => {
  it('gives unit vectors along the axis, and keeps a zero vector at zero', async () => {
    const g = new Graph();
    const x = g.input('x', [3, 2]);
    const y = l2Normalize(g, x, -1);
    const exe = await compile(ctx.rt, g, { outputs: [y] });
    const got = await exe.run({ x: [3, 4, 0, 0, -1, 0] });
    exe.destroy();
    const n = Math.sqrt(25 + 1e-6);
    expectClose('l2Normalize', got[y.name]!, [3 / n, 4 / n, 0, 0, -1 / Math.sqrt(1 + 1e-6), 0], 1e-6, 1e-7);
  });
});
