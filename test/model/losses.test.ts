/**
 * LangSeg's losses (src/model/losses.ts) against PyTorch: the cross_entropy op against F.cross_entropy with
 * ignore_index, and the four terms and their total against the mirror (tools/pytorch/golden_losses.py), with
 * the total's gradients with respect to logits, pixel embeddings, descriptors and pyramid levels.
 */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph, type SymbolicTensor } from '../../src/graph/graph.js';
import { l2Normalize, descriptorScores } from '../../src/model/descriptor-head.js';
import { downsampleLabels, genLoss, msLoss, segLoss, totalLoss, tripletLoss, tripletSamplePositions } from '../../src/model/losses.js';
import { expectClose as close } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';

const expectClose = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number) =>
  close(what, got, want, rtol, atol, 'PyTorch');
const ctx = useRuntime();

interface TermsAttrs {
  groups: number[];
  tau: number;
  margin: number;
  samples: number;
  seed: number;
  ignore: number;
  weights: { gen: number; triplet: number; ms: number };
}

describe('cross_entropy vs F.cross_entropy(ignore_index=255), also with weight=', () => {
  for (const name of ['losses_cross_entropy_4d', 'losses_cross_entropy_3d', 'losses_cross_entropy_weighted']) {
    it(`${name}: the mean loss and the logits gradient`, async () => {
      const { tensors: t, attrs } = loadGolden(name);
      const g = new Graph();
      const logits = g.input('logits', t.logits!.shape);
      const labels = g.input('labels', t.labels!.shape);
      const loss = g.apply('cross_entropy', [logits, labels], attrs);
      const grad = backward(g, g.mul(loss, g.constant(t.grad_out!.data, [1])), [logits]).get(logits)!;
      const exe = await compile(ctx.rt, g, { outputs: [loss, grad] });
      const out = await exe.run({ logits: t.logits!.data, labels: t.labels!.data });
      exe.destroy();
      // Measured worst errors: loss 9e-8 relative, gradient 3.7e-9 absolute (2.9e-7 relative; the gradients
      // are at most 0.05, being divided by the pixel count), so the bounds leave >= 30x room.
      expectClose('loss', out[loss.name]!, t.out!.data, 1e-5, 1e-6);
      expectClose('grad_logits', out[grad.name]!, t.grad_logits!.data, 1e-4, 1e-7);
    });
  }
});

/** Build the four terms as the model does, on the fixture's inputs (raw pixels and descriptors, l2-normalised here). */
function buildTerms(g: Graph, shapes: Record<string, readonly number[]>, a: TermsAttrs) {
  const input = (name: string) => g.input(name, shapes[name]!);
  const logits = input('logits');
  const labels = input('labels');
  const pixels = input('pixels');
  const descriptors = input('descriptors');
  const levels = [0, 1, 2].map((i) => input(`level${i}`));
  const e = l2Normalize(g, pixels, 1);
  const t = l2Normalize(g, descriptors, 1);
  const labels4 = downsampleLabels(g, labels, [e.shape[2]!, e.shape[3]!]);
  const classScores4 = descriptorScores(g, e, t, a.groups, { tau: a.tau }).classScores;
  const terms = totalLoss(
    g,
    {
      seg: segLoss(g, logits, labels, a.ignore),
      gen: genLoss(g, classScores4, labels4, a.ignore),
      triplet: tripletLoss(g, e, t, labels4, a.groups, { samples: a.samples, margin: a.margin, seed: a.seed, ignore: a.ignore }),
      ms: msLoss(g, levels, t, a.groups, a.tau, labels, a.ignore),
    },
    a.weights,
  );
  return { terms, labels4, wrt: { logits, pixels, descriptors, level0: levels[0]!, level1: levels[1]!, level2: levels[2]! } };
}

describe('LangSeg losses vs the PyTorch mirror', () => {
  const { tensors: t, attrs } = loadGolden('losses_terms');
  const a = attrs as unknown as TermsAttrs;
  const shapes = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.shape]));
  const feeds = Object.fromEntries(['logits', 'labels', 'pixels', 'descriptors', 'level0', 'level1', 'level2'].map((k) => [k, t[k]!.data]));

  it('draws the same triplet sample positions as the mirror', () => {
    expect(tripletSamplePositions(2, 4, 4, a.samples, a.seed)).toEqual(Array.from(t.positions!.data));
  });

  it('every term, the total, and the gradients of the total', async () => {
    const g = new Graph();
    const { terms, labels4, wrt } = buildTerms(g, shapes, a);
    const grads = backward(g, terms.total, Object.values(wrt));
    const named = Object.entries(wrt).map(([k, x]) => [k, grads.get(x)!] as const);
    const outputs: SymbolicTensor[] = [labels4, terms.total, terms.seg, terms.gen!, terms.triplet!, terms.ms!, ...named.map(([, x]) => x)];
    const exe = await compile(ctx.rt, g, { outputs });
    const out = await exe.run(feeds);
    exe.destroy();
    expect(Array.from(out[labels4.name]!)).toEqual(Array.from(t.labels4!.data));
    // Measured worst errors on lavapipe: terms 6e-8 relative; gradients 6e-8 absolute, 3e-6 relative. The
    // logits' gradients are small (at most 2.3e-3: divided by 512 pixels), hence an absolute bound of 1e-6
    // for the gradients rather than the usual 1e-4.
    for (const key of ['seg', 'gen', 'triplet', 'ms', 'total'] as const) expectClose(key, out[terms[key]!.name]!, t[key]!.data, 1e-4, 1e-5);
    for (const [key, grad] of named) expectClose(`grad_${key}`, out[grad.name]!, t[`grad_${key}`]!.data, 1e-3, 1e-6);
  });
});

describe('loss building blocks', () => {
  it('gives 0 for every term, and zero gradients, when every label is ignored', async () => {
    const g = new Graph();
    const groups = [0, 1, 3];
    const logits = g.input('logits', [1, 2, 8, 8]);
    const labels = g.input('labels', [1, 8, 8]);
    const pixels = g.input('pixels', [1, 4, 2, 2]);
    const descriptors = g.input('descriptors', [3, 4]);
    const labels4 = downsampleLabels(g, labels, [2, 2]);
    const terms = totalLoss(
      g,
      {
        seg: segLoss(g, logits, labels),
        gen: genLoss(g, descriptorScores(g, pixels, descriptors, groups, { tau: 10 }).classScores, labels4),
        triplet: tripletLoss(g, pixels, descriptors, labels4, groups, { samples: 3, margin: 0.3 }),
        ms: msLoss(g, [pixels], descriptors, groups, 10, labels),
      },
      { gen: 0.5, triplet: 0.2, ms: 0.4 },
    );
    const grads = backward(g, terms.total, [logits, pixels, descriptors]);
    const exe = await compile(ctx.rt, g, { outputs: [terms.total, terms.seg, terms.gen!, terms.triplet!, terms.ms!, ...grads.values()] });
    const random = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const out = await exe.run({ logits: random(128), labels: new Float32Array(64).fill(255), pixels: random(16), descriptors: random(12) });
    exe.destroy();
    for (const [name, values] of Object.entries(out)) expect(Array.from(values).every((v) => v === 0), `${name} is all 0`).toBe(true);
  });

  it('totalLoss leaves ablated terms out and does not add a term of weight 0', async () => {
    const g = new Graph();
    const seg = g.input('seg', [1]);
    const gen = g.input('gen', [1]);
    const ms = g.input('ms', [1]);
    const terms = totalLoss(g, { seg, gen, ms }, { gen: 0.5, triplet: 0.2, ms: 0 });
    expect(terms.triplet).toBeUndefined();
    expect(terms.ms).toBe(ms);
    const exe = await compile(ctx.rt, g, { outputs: [terms.total] });
    const out = await exe.run({ seg: [1.5], gen: [2], ms: [100] });
    exe.destroy();
    expect(out[terms.total.name]![0]).toBeCloseTo(2.5, 6);
    expect(totalLoss(g, { seg }, { gen: 1, triplet: 1, ms: 1 }).total).toBe(seg);
  });

  it('downsampleLabels keeps labels of the same size and checks its arguments', () => {
    const g = new Graph();
    const labels = g.input('labels', [2, 8, 8]);
    expect(downsampleLabels(g, labels, [8, 8])).toBe(labels);
    expect(downsampleLabels(g, labels, [2, 4]).shape).toEqual([2, 2, 4]);
    expect(() => downsampleLabels(g, g.input('bad', [2, 1, 8, 8]), [2, 2])).toThrow(/downsampleLabels: labels must be \[B, H, W\], got \[2, 1, 8, 8\]/);
    expect(() => downsampleLabels(g, labels, [0, 2])).toThrow(/size must be \[h, w\], two positive integers, got \[0, 2\]/);
  });

  it('sample positions are seeded, per image and inside each image', () => {
    const p = tripletSamplePositions(3, 5, 7, 50, 0);
    expect(p).toEqual(tripletSamplePositions(3, 5, 7, 50, 0));
    expect(p).not.toEqual(tripletSamplePositions(3, 5, 7, 50, 1));
    p.forEach((pos, i) => expect(Math.floor(pos / 35)).toBe(Math.floor(i / 50)));
    expect(() => tripletSamplePositions(1, 4, 4, 0)).toThrow(/samples must be a positive integer, got 0/);
  });

  it('rejects mismatched shapes with ShapeError naming them', () => {
    const g = new Graph();
    const pixels = g.input('pixels', [2, 8, 4, 4]);
    const descriptors = g.input('descriptors', [7, 8]);
    const labels4 = g.input('labels4', [2, 4, 4]);
    const opts = { samples: 4, margin: 0.3 };
    expect(() => tripletLoss(g, pixels, g.input('d6', [7, 6]), labels4, [0, 7], opts)).toThrow(ShapeError);
    expect(() => tripletLoss(g, pixels, g.input('d6b', [7, 6]), labels4, [0, 7], opts)).toThrow(/descriptors must be \[K, D\] with D = 8.*got \[7, 6\]/);
    expect(() => tripletLoss(g, pixels, descriptors, g.input('l5', [2, 5, 4]), [0, 7], opts)).toThrow(/labels4 must be \[2, 4, 4\].*got \[2, 5, 4\]/);
    expect(() => tripletLoss(g, pixels, descriptors, labels4, [0, 3, 6], opts)).toThrow(/groups must end at K = 7.*groups\[C\] = 6/);
    expect(() => segLoss(g, g.input('logits', [2, 3, 16, 16]), g.input('labels', [2, 16, 8]))).toThrow(/labels must be \[2, 16, 16\]/);
    expect(() => msLoss(g, [], descriptors, [0, 7], 10, g.input('l16', [2, 16, 16]))).toThrow(/msLoss: needs at least one pyramid level/);
  });
});
