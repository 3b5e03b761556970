/** Pooling, resize, pyramid fusion and concat/slice/pad kernels against their float64 CPU references. */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { Graph } from '../../src/graph/graph.js';
import { resizeNearest } from '../../src/kernels/sampling/resize.js';
import { concat, pad, slice } from '../../src/kernels/sampling/shape-ops.js';
import { checkOp } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const TOL = { rtol: 1e-5, atol: 1e-5 };

describe('pooling', () => {
  const cases: [number[], Record<string, unknown>][] = [
    [[1, 1, 1, 1], { kernel: 1 }],
    [[2, 3, 7, 9], { kernel: 3, stride: 2, padding: 1 }],
    [[1, 2, 8, 8], { kernel: 2 }],
    [[1, 3, 11, 5], { kernel: [3, 2], stride: [2, 1], padding: [1, 0] }],
    [[1, 1, 37, 41], { kernel: 5, stride: 3, padding: 2 }],
    [[2, 2, 6, 7], { kernel: 3, stride: 1, padding: 1 }],
  ];
  for (const kind of ['max', 'avg']) {
    it(`${kind}_pool2d forward`, async () => {
      for (const [shape, attrs] of cases) await checkOp(ctx.rt, `${kind}_pool2d`, [shape], { attrs, ...TOL });
    });
  }
  it('max_pool2d_backward and avg_pool2d_backward', async () => {
    for (const [shape, attrs] of cases) {
      const g = new Graph();
      const y = g.apply('max_pool2d', [g.input('x', shape)], attrs);
      await checkOp(ctx.rt, 'max_pool2d_backward', [shape, y.shape], { attrs, ...TOL });
      await checkOp(ctx.rt, 'avg_pool2d_backward', [y.shape], { attrs: { ...attrs, inputShape: shape }, ...TOL });
    }
  });
  it('avg_pool2d without counting padding', async () => {
    await checkOp(ctx.rt, 'avg_pool2d', [[1, 2, 7, 6]], { attrs: { kernel: 3, stride: 2, padding: 1, countIncludePad: false }, ...TOL });
    await checkOp(ctx.rt, 'avg_pool2d_backward', [[1, 2, 4, 3]], {
      attrs: { kernel: 3, stride: 2, padding: 1, countIncludePad: false, inputShape: [1, 2, 7, 6] },
      ...TOL,
    });
  });
  it('max_pool2d gives ties to the first maximum of each window', async () => {
    const x = new Float32Array(16).fill(1);
    await checkOp(ctx.rt, 'max_pool2d_backward', [[1, 1, 4, 4], [1, 1, 3, 3]], {
      attrs: { kernel: 2, stride: 1 },
      values: [x, randomValues(9, 3)],
      ...TOL,
    });
  });
  it('global_avg_pool2d', async () => {
    for (const shape of [[1, 1, 1, 1], [2, 3, 5, 7], [1, 4, 33, 17]]) await checkOp(ctx.rt, 'global_avg_pool2d', [shape], TOL);
  });
});

describe('resize', () => {
  const bilinear: [number[], Record<string, unknown>][] = [
    [[1, 1, 1, 1], { size: [3, 2] }],
    [[2, 3, 5, 7], { size: [10, 14] }],
    [[1, 2, 9, 11], { size: [4, 5] }],
    [[1, 2, 7, 5], { size: [13, 3] }],
    [[1, 1, 5, 5], { scale: 1.7 }],
    [[1, 2, 9, 7], { scale: [0.45, 2.5] }],
    [[1, 1, 6, 6], { size: [6, 6] }],
    [[1, 2, 4, 4], { scale: 8 }],
  ];
  it('resize_bilinear forward', async () => {
    for (const [shape, attrs] of bilinear) await checkOp(ctx.rt, 'resize_bilinear', [shape], { attrs, ...TOL });
  });
  it('resize_bilinear_backward', async () => {
    for (const [shape, attrs] of bilinear) {
      const g = new Graph();
      const y = g.apply('resize_bilinear', [g.input('x', shape)], attrs);
      await checkOp(ctx.rt, 'resize_bilinear_backward', [y.shape], { attrs: { ...attrs, inputShape: shape }, rtol: 1e-5, atol: 3e-5 });
    }
  });
  it('resize_nearest (f32 class ids)', async () => {
    for (const [shape, attrs] of bilinear) await checkOp(ctx.rt, 'resize_nearest', [shape], { attrs, rtol: 0, atol: 0 });
  });
  it('resize_nearest moves i32 labels exactly', async () => {
    const labels = Int32Array.from({ length: 2 * 3 * 5 }, (_, i) => (i % 7 === 0 ? 255 : i * 3 - 20));
    const x = ctx.rt.upload(labels, [2, 1, 3, 5], 'i32');
    const y = await resizeNearest(ctx.rt, x, { size: [6, 10] });
    const got = (await ctx.rt.read(y)) as Int32Array;
    expect(y.dtype).toBe('i32');
    for (let p = 0; p < 2; p++) {
      for (let oy = 0; oy < 6; oy++) {
        for (let ox = 0; ox < 10; ox++) expect(got[(p * 6 + oy) * 10 + ox]).toBe(labels[(p * 3 + (oy >> 1)) * 5 + (ox >> 1)]);
      }
    }
    x.destroy();
    y.destroy();
  });
});

describe('pyramid_fuse', () => {
  const levels = [
    [[1, 1, 1, 1]],
    [[2, 3, 8, 8], [2, 3, 4, 4], [2, 3, 2, 2], [2, 3, 1, 1]],
    [[1, 2, 9, 7], [1, 2, 5, 4], [1, 2, 3, 2], [1, 2, 11, 13], [1, 2, 2, 1]],
    [[1, 4, 6, 5], [1, 4, 3, 3]],
  ];
  it('forward: the sum of bilinear resizes in one kernel', async () => {
    for (const shapes of levels) await checkOp(ctx.rt, 'pyramid_fuse', shapes, { attrs: { size: [9, 10] }, ...TOL });
  });
  it('backward: every level in one kernel', async () => {
    for (const shapes of levels) {
      await checkOp(ctx.rt, 'pyramid_fuse_backward', [[shapes[0]![0]!, shapes[0]![1]!, 9, 10]], { attrs: { levels: shapes }, rtol: 1e-5, atol: 3e-5 });
    }
  });
});

describe('concat, slice, pad', () => {
  it('concat along every axis, 1 to 5 parts', async () => {
    await checkOp(ctx.rt, 'concat', [[2, 3, 4, 5], [2, 1, 4, 5]], { attrs: { axis: 1 } });
    await checkOp(ctx.rt, 'concat', [[2, 3, 4, 5], [1, 3, 4, 5], [3, 3, 4, 5]], { attrs: { axis: 0 } });
    await checkOp(ctx.rt, 'concat', [[1, 2, 3, 5], [1, 2, 1, 5], [1, 2, 2, 5], [1, 2, 7, 5], [1, 2, 1, 5]], { attrs: { axis: -2 } });
    await checkOp(ctx.rt, 'concat', [[2, 2, 3, 1], [2, 2, 3, 4]], { attrs: { axis: 3 } });
    await checkOp(ctx.rt, 'concat', [[7]], { attrs: { axis: 0 } });
    await checkOp(ctx.rt, 'concat', [[3, 2], [3, 0], [3, 5]], { attrs: { axis: 1 } });
    await checkOp(ctx.rt, 'concat', [[2, 1, 2, 2, 3], [2, 1, 2, 2, 3]], { attrs: { axis: 4 } });
  });
  it('slice', async () => {
    await checkOp(ctx.rt, 'slice', [[2, 5, 7, 9]], { attrs: { begin: [1, 1, 2, 3], size: [1, 3, -1, 4] } });
    await checkOp(ctx.rt, 'slice', [[9]], { attrs: { begin: [4], size: [5] } });
    await checkOp(ctx.rt, 'slice', [[3, 70]], { attrs: { begin: [0, 33], size: [3, 37] } });
    await checkOp(ctx.rt, 'slice', [[1, 1, 1]], { attrs: { begin: [0, 0, 0], size: [1, 1, 1] } });
  });
  it('pad', async () => {
    await checkOp(ctx.rt, 'pad', [[2, 3, 5, 4]], { attrs: { pads: [[0, 0], [1, 2], [3, 0], [1, 1]], value: -1.5 } });
    await checkOp(ctx.rt, 'pad', [[5]], { attrs: { pads: [[2, 3]] } });
    await checkOp(ctx.rt, 'pad', [[1, 1, 1, 1]], { attrs: { pads: [[0, 0], [0, 0], [1, 1], [2, 0]] } });
  });
  it('eager concat / slice / pad keep i32 data exact', async () => {
    const a = ctx.rt.upload(Int32Array.from([1, 2, 3, 4]), [2, 2], 'i32');
    const b = ctx.rt.upload(Int32Array.from([-5, -6]), [2, 1], 'i32');
    const joined = await concat(ctx.rt, [a, b], 1);
    expect(Array.from((await ctx.rt.read(joined)) as Int32Array)).toEqual([1, 2, -5, 3, 4, -6]);
    const padded = await pad(ctx.rt, joined, [[0, 1], [1, 0]], 7);
    expect(Array.from((await ctx.rt.read(padded)) as Int32Array)).toEqual([7, 1, 2, -5, 7, 3, 4, -6, 7, 7, 7, 7]);
    const cut = await slice(ctx.rt, padded, [1, 1], [2, 2]);
    expect(Array.from((await ctx.rt.read(cut)) as Int32Array)).toEqual([3, 4, 7, 7]);
    for (const t of [a, b, joined, padded, cut]) t.destroy();
  });
});

describe('bad input: a ShapeError naming the op and the numbers, at graph-build time', () => {
  const g = new Graph();
  const x = g.input('x', [1, 2, 5, 5]);
  it('pooling', () => {
    expect(() => g.apply('max_pool2d', [x], { kernel: 7 })).toThrow(ShapeError);
    expect(() => g.apply('max_pool2d', [x], { kernel: 7 })).toThrow(/max_pool2d.*kernel \[7, 7\] is larger than the padded input \[5, 5\]/);
    expect(() => g.apply('avg_pool2d', [x], { kernel: 2, padding: 2 })).toThrow(/padding \[2, 2\] must be at most half the kernel \[2, 2\]/);
    expect(() => g.apply('avg_pool2d', [x], { kernel: 0 })).toThrow(/kernel must be an integer >= 1/);
    expect(() => g.apply('max_pool2d', [g.input('flat', [2, 5])], { kernel: 2 })).toThrow(/must be NCHW \(rank 4\), got \[2, 5\]/);
    expect(() => g.apply('global_avg_pool2d', [g.input('v', [5])])).toThrow(/global_avg_pool2d.*rank 4/);
  });
  it('resize and pyramid fusion', () => {
    expect(() => g.apply('resize_bilinear', [x], {})).toThrow(/exactly one of size \[H, W\] or scale/);
    expect(() => g.apply('resize_bilinear', [x], { size: [0, 3] })).toThrow(/size must be \[H, W\] with positive integers/);
    expect(() => g.apply('resize_bilinear', [x], { scale: 0.1 })).toThrow(/shrinks input \[1, 2, 5, 5\] to an empty \[0, 0\]/);
    const other = g.input('other', [1, 3, 4, 4]);
    expect(() => g.apply('pyramid_fuse', [x, other], { size: [8, 8] })).toThrow(/level 1 \[1, 3, 4, 4\] must share N=1 and C=2/);
    expect(() => g.apply('pyramid_fuse', [x, x, x, x, x, x], { size: [8, 8] })).toThrow(/takes 1 to 5 inputs, got 6/);
  });
  it('concat, slice, pad', () => {
    const y = g.input('y', [1, 3, 4, 5]);
    expect(() => g.apply('concat', [x, y], { axis: 1 })).toThrow(/concat.*part 1 \[1, 3, 4, 5\] does not match part 0 \[1, 2, 5, 5\]/);
    expect(() => g.apply('concat', [x, x], { axis: 4 })).toThrow(/axis 4 is out of range for rank 4/);
    expect(() => g.apply('slice', [x], { begin: [0, 1, 0, 0], size: [1, 2, 5, 5] })).toThrow(/axis 1 of \[1, 2, 5, 5\]: begin 1 \+ size 2 is outside \[0, 2\]/);
    expect(() => g.apply('pad', [x], { pads: [[0, 0]] })).toThrow(/one \[before, after\] pair per axis/);
    expect(() => g.apply('pad', [x], { pads: [[0, 0], [0, 0], [-1, 0], [0, 0]] })).toThrow(/axis 2 needs \[before, after\] with non-negative/);
  });
});
