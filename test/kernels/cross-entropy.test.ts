/** cross_entropy (mean over non-ignored pixels) and its logits gradient, and group_mask, against float64 references. */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { checkLabels, crossEntropy, crossEntropyBackwardPlan, crossEntropyPlan } from '../../src/kernels/cross-entropy.js';
import { groupMaskPlan } from '../../src/kernels/group-mask.js';
import { sizeOf } from '../../src/kernels/shape.js';
import { checkOp } from '../helpers/check-op.js';
import { randomValues, rng } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const TOL = { rtol: 1e-5, atol: 1e-6 };

/** Seeded integer labels in [0, classes), with about `ignoredShare` of them the ignore label. */
function labelValues(n: number, classes: number, seed: number, ignoredShare = 0.2, ignore = 255): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => (next() < ignoredShare ? ignore : Math.floor(next() * classes)));
}

/** Check forward and backward for logits of this shape (labels drop axis 1). */
async function checkBoth(logits: number[], labels: Float32Array, attrs: Record<string, unknown> = {}, tol = TOL): Promise<void> {
  const labelShape = [logits[0]!, ...logits.slice(2)];
  const x = randomValues(sizeOf(logits), 42, -4, 4);
  await checkOp(ctx.rt, 'cross_entropy', [logits, labelShape], { attrs, values: [x, labels], ...tol });
  await checkOp(ctx.rt, 'cross_entropy_backward', [logits, labelShape, [1]], { attrs, values: [x, labels, Float32Array.of(0.7)], ...tol });
}

describe('cross_entropy', () => {
  // [logits shape, share of ignored pixels]: 4-D and 3-D maps, spatial 1x1, one class, many classes (ADE's 150),
  // no spatial axes, and more pixels than the 256 x 64 invocations of the first stage (the grid-stride loop).
  const CASES: [number[], number][] = [
    [[2, 3, 5, 7], 0.2],
    [[3, 4, 9], 0.3],
    [[2, 6, 1, 1], 0.25],
    [[2, 1, 4, 5], 0.2],
    [[2, 150, 3, 4], 0.1],
    [[5, 7], 0.2],
    [[2, 5, 96, 100], 0.1],
  ];
  for (const [shape, ignored] of CASES) {
    it(`forward and backward, logits [${shape.join(', ')}]`, async () => {
      const n = shape[0]! * sizeOf(shape.slice(2));
      await checkBoth(shape, labelValues(n, shape[1]!, 7, ignored));
    });
  }

  it('is 0 with a zero gradient when every pixel is ignored', async () => {
    await checkBoth([2, 3, 2, 2], new Float32Array(8).fill(255));
    const logits = ctx.rt.upload(randomValues(24, 1), [2, 3, 2, 2], 'f32', 'logits');
    const labels = ctx.rt.upload(new Float32Array(8).fill(255), [2, 2, 2], 'f32', 'labels');
    expect(Array.from(await ctx.rt.read(await crossEntropy(ctx.rt, logits, labels)))).toEqual([0]);
    logits.destroy();
    labels.destroy();
  });

  it('weighs pixels by class (PyTorch\'s weight): forward and backward, with a zero weight and past one stage', async () => {
    await checkBoth([2, 3, 5, 7], labelValues(70, 3, 7, 0.2), { weights: [0.5, 2, 1.25] });
    await checkBoth([2, 4, 3, 3], labelValues(18, 4, 5, 0.1), { weights: [0, 3, 1, 0.1] });
    await checkBoth([2, 5, 96, 100], labelValues(2 * 9600, 5, 9, 0.1), { weights: [1, 2, 3, 4, 5] });
    // Every valid pixel's class weighted 0: nothing counts, so the loss and the gradient are 0.
    await checkBoth([1, 2, 2, 2], Float32Array.of(1, 1, 255, 1), { weights: [1, 0] });
  });

  it('rejects weights of the wrong length or value', () => {
    expect(() => crossEntropyPlan([2, 3, 4], [2, 4], { weights: [1, 2] })).toThrow(/weights must have one value per class \(3\), got 2/);
    expect(() => crossEntropyPlan([2, 3, 4], [2, 4], { weights: [1, -2, 1] })).toThrow(/weights\[1\] is -2; class weights must be finite and >= 0/);
    expect(() => crossEntropyBackwardPlan([2, 3, 4], [2, 4], [1], { weights: [1, Number.NaN, 1] })).toThrow(/weights\[1\] is NaN/);
  });

  it('takes another ignore label', async () => {
    await checkBoth([2, 4, 3, 3], labelValues(18, 4, 3, 0.3, 9), { ignore: 9 });
  });

  it('clamps labels outside [0, C) instead of reading out of bounds (the reference clamps the same way)', async () => {
    await checkBoth([1, 3, 2, 3], Float32Array.of(-1, 3, 1000, 2, 1e9, -1e9));
    // NaN converts to an implementation-defined integer, but the clamp still keeps the load in bounds.
    const logits = ctx.rt.upload(randomValues(6, 2), [1, 3, 2], 'f32', 'logits');
    const labels = ctx.rt.upload(Float32Array.of(Number.NaN, 1), [1, 2], 'f32', 'labels');
    const [loss] = await ctx.rt.read(await crossEntropy(ctx.rt, logits, labels));
    expect(Number.isFinite(loss)).toBe(true);
    logits.destroy();
    labels.destroy();
  });

  it('is stable for large logits', async () => {
    const logits = Float32Array.from({ length: 12 }, (_, i) => [1000, -1000, 500, 999][i % 4]!);
    const labels = Float32Array.of(0, 1, 2, 1);
    await checkOp(ctx.rt, 'cross_entropy', [[1, 3, 4], [1, 4]], { values: [logits, labels], ...TOL });
    await checkOp(ctx.rt, 'cross_entropy_backward', [[1, 3, 4], [1, 4], [1]], { values: [logits, labels, Float32Array.of(1)], ...TOL });
  });

  it('rejects mismatched shapes with ShapeError', () => {
    expect(() => crossEntropyPlan([2, 3, 4, 5], [2, 4, 4])).toThrow(ShapeError);
    expect(() => crossEntropyPlan([2, 3, 4, 5], [2, 4, 4])).toThrow(
      /cross_entropy: labels must be \[2, 4, 5\] \(logits \[2, 3, 4, 5\] without the class axis\), got \[2, 4, 4\]/,
    );
    expect(() => crossEntropyPlan([6], [6])).toThrow(/logits must be \[B, C, \.\.\.spatial\], got \[6\]/);
    expect(() => crossEntropyPlan([2, 0, 3], [2, 3])).toThrow(/have no classes/);
    expect(() => crossEntropyPlan([2, 3], [2], { ignore: 0.5 })).toThrow(/ignore must be an integer label, got 0.5/);
    expect(() => crossEntropyBackwardPlan([2, 3], [2], [2])).toThrow(/cross_entropy_backward: dy must hold the one loss gradient \(\[1\]\), got \[2\]/);
  });
});

describe('checkLabels', () => {
  it('accepts class ids and the ignore label', () => {
    expect(() => checkLabels([0, 2, 255, 1], 3)).not.toThrow();
    expect(() => checkLabels([0, -1, 1], 3, -1)).not.toThrow();
  });

  it('names the first bad value, where it is and the valid range', () => {
    expect(() => checkLabels([0, 1, 3, 7], 3)).toThrow(ShapeError);
    expect(() => checkLabels([0, 1, 3, 7], 3)).toThrow(
      'labels: value 3 at index 2 is not a class id; use integers 0 to 2 (3 classes) or 255 for pixels to ignore',
    );
    expect(() => checkLabels([0, 1.5], 3)).toThrow(/value 1.5 at index 1/);
    expect(() => checkLabels([0, -1], 3)).toThrow(/value -1 at index 1/);
    expect(() => checkLabels([0, Number.NaN], 3)).toThrow(/value NaN at index 1/);
    expect(() => checkLabels([0, 0, 0, 0, 0, 9], 4, 255, [2, 1, 3])).toThrow(/value 9 at index \[1, 0, 2\] is not a class id; use integers 0 to 3/);
  });
});

describe('group_mask', () => {
  const groups = [0, 2, 3, 7];
  it('marks the descriptors of each label\'s class; ignored and unknown labels get none', async () => {
    const labels = Float32Array.of(0, 2, 255, 1, 2, 3, -1, 0.5, 1);
    await checkOp(ctx.rt, 'group_mask', [[9]], { attrs: { groups }, values: [labels], rtol: 0, atol: 0 });
  });

  it('keeps the label shape and appends K; another ignore label', async () => {
    const labels = labelValues(2 * 3 * 5, 3, 11, 0.3, 1);
    await checkOp(ctx.rt, 'group_mask', [[2, 3, 5]], { attrs: { groups: [0, 1, 5, 6], ignore: 1 }, values: [labels], rtol: 0, atol: 0 });
  });

  it('covers more elements than one workgroup row (many labels, many descriptors)', async () => {
    const many = Array.from({ length: 41 }, (_, c) => 3 * c);
    await checkOp(ctx.rt, 'group_mask', [[700]], { attrs: { groups: many }, values: [labelValues(700, 40, 5)], rtol: 0, atol: 0 });
  });

  it('rejects bad groups with ShapeError', () => {
    expect(() => groupMaskPlan([4], { groups: [0, 2, 2, 5] })).toThrow(/group_mask: every group must be non-empty, but group 1 is \[2, 2\)/);
    expect(() => groupMaskPlan([4], { groups: [1, 3] })).toThrow(/group_mask: groups\[0\] must be 0, got 1/);
    expect(() => groupMaskPlan([4], { groups: [0] })).toThrow(/groups must have C \+ 1 >= 2 offsets/);
  });
});
