/** group_logsumexp (log-sum-exp over ragged groups of one axis) and its input gradient against float64 references. */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { groupLogSumExp, groupLogSumExpBackwardPlan, groupLogSumExpPlan, groupLogSumExpReference } from '../../src/kernels/group-logsumexp.js';
import { host } from '../../src/kernels/reference.js';
import { sizeOf } from '../../src/kernels/shape.js';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const TOL = { rtol: 1e-5, atol: 1e-5 };

/** The output shape: C on the axis. */
const withClasses = (x: number[], axis: number, classes: number) => x.map((d, i) => (i === (axis < 0 ? axis + x.length : axis) ? classes : d));

// [x shape, groups, axis]: ragged groups with one of size 1, a single group, every group of size 1,
// rank 2, the last axis (inner = 1), a negative axis, axis 0 (outer = 1), LangSeg's [B, K, H, W] layout.
const CASES: [number[], number[], number][] = [
  [[2, 9, 3, 5], [0, 3, 4, 9], 1],
  [[3, 7], [0, 1, 5, 7], 1],
  [[4, 6], [0, 6], 1],
  [[2, 4, 3], [0, 1, 2, 3, 4], 1],
  [[2, 3, 10], [0, 4, 5, 10], 2],
  [[2, 3, 10], [0, 4, 5, 10], -1],
  [[5, 3], [0, 2, 5], 0],
  [[2, 12, 17, 9], [0, 5, 6, 9, 12], 1],
];

describe('group_logsumexp', () => {
  it('forward over ragged groups, any axis', async () => {
    for (const [x, groups, axis] of CASES) await checkOp(ctx.rt, 'group_logsumexp', [x], { attrs: { groups, axis }, ...TOL });
  });

  it('defaults to axis 1', async () => {
    await checkOp(ctx.rt, 'group_logsumexp', [[2, 5, 4]], { attrs: { groups: [0, 2, 5] }, ...TOL });
  });

  it('input gradient, from x, y and dy', async () => {
    for (const [x, groups, axis] of CASES) {
      const y = withClasses(x, axis, groups.length - 1);
      await checkOp(ctx.rt, 'group_logsumexp_backward', [x, y, y], { attrs: { groups, axis }, ...TOL });
    }
  });

  it('covers outputs beyond 65535 workgroups (the dispatch grid splits over y)', async () => {
    // 2 x 2_100_000 outputs = 65625 workgroups of 64.
    await checkOp(ctx.rt, 'group_logsumexp', [[3, 2_100_000]], { attrs: { groups: [0, 1, 3], axis: 0 }, ...TOL });
  });

  it('is stable for very large and very negative inputs', async () => {
    // 1000 and -1000 overflow exp in f32 (and in float64) without the max shift.
    const shape = [2, 5, 3];
    const groups = [0, 1, 3, 5];
    const x = Float32Array.from({ length: sizeOf(shape) }, (_, i) => [1000, -1000, 1000.5, -999, 3][i % 5]!);
    await checkOp(ctx.rt, 'group_logsumexp', [shape], { attrs: { groups }, values: [x], rtol: 1e-6, atol: 0 });
    const xt = ctx.rt.upload(x, shape, 'f32', 'x');
    const y = await ctx.rt.read(await groupLogSumExp(ctx.rt, xt, { groups }));
    xt.destroy();
    expect(y.every(Number.isFinite)).toBe(true);
    // The gradient is a softmax within each group: finite, in [0, 1] for dy = 1.
    const yRef = groupLogSumExpReference(host(shape, x), { groups });
    const ones = new Float32Array(yRef.data.length).fill(1);
    await checkOp(ctx.rt, 'group_logsumexp_backward', [shape, yRef.shape, yRef.shape], {
      attrs: { groups },
      values: [x, Float32Array.from(yRef.data), ones],
      ...TOL,
    });
  });

  it('gives -inf for a group that is all -inf, and no gradient into it', async () => {
    const x = Float32Array.from([-Infinity, -Infinity, 1, 2, -Infinity, 0]);
    const shape = [1, 6];
    const groups = [0, 2, 4, 6];
    await checkOp(ctx.rt, 'group_logsumexp', [shape], { attrs: { groups }, values: [x], ...TOL });
    const y = Float32Array.from(groupLogSumExpReference(host(shape, x), { groups }).data);
    expect(y[0]).toBe(-Infinity);
    await checkOp(ctx.rt, 'group_logsumexp_backward', [shape, [1, 3], [1, 3]], { attrs: { groups }, values: [x, y, Float32Array.of(1, 1, 1)], ...TOL });
  });

  it('rejects bad groups, axes and gradient shapes with ShapeError', () => {
    const plan = (x: number[], groups: unknown, axis?: number) => () => groupLogSumExpPlan(x, { groups: groups as number[], axis });
    expect(plan([2, 5], [0, 2, 2, 5])).toThrow(ShapeError);
    expect(plan([2, 5], [0, 2, 2, 5])).toThrow(/group_logsumexp: every group must be non-empty, but group 1 is \[2, 2\)/);
    expect(plan([2, 5], [0, 2, 4])).toThrow(/groups must end at K = 5 \(axis 1 of x \[2, 5\]\), but groups\[C\] = 4/);
    expect(plan([2, 5], [1, 5])).toThrow(/groups\[0\] must be 0, got 1/);
    expect(plan([2, 5], [0])).toThrow(/groups must have C \+ 1 >= 2 offsets/);
    expect(plan([2, 5], [0, 5], 2)).toThrow(/axis 2 is out of range for x \[2, 5\] \(rank 2: use -2 to 1\)/);
    expect(plan([2, 5], [0, 5], -3)).toThrow(/axis -3 is out of range/);
    expect(plan([2, 5], [0, 3, 1, 5])).toThrow(/group 1 is \[3, 1\)/);
    const bwd = (y: number[], dy: number[]) => () => groupLogSumExpBackwardPlan([2, 5], y, dy, { groups: [0, 2, 5] });
    expect(bwd([2, 5], [2, 2])).toThrow(/group_logsumexp_backward: y must be \[2, 2\] \(x \[2, 5\] with C = 2 on axis 1\), got \[2, 5\]/);
    expect(bwd([2, 2], [2, 3])).toThrow(/group_logsumexp_backward: dy must be \[2, 2\].*got \[2, 3\]/);
  });
});
