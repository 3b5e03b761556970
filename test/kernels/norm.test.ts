/** Group norm, layer norm (forward and input gradient) and batch norm inference against their float64 references. */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { getOp } from '../../src/graph/ops/index.js';
import { foldBatchNorm } from '../../src/kernels/norm/batch-norm.js';
import { groupNorm, groupNormBackwardInput, groupNormBackwardInputReference, groupNormReference } from '../../src/kernels/norm/group-norm.js';
import { layerNorm, layerNormReference } from '../../src/kernels/norm/layer-norm.js';
import { host } from '../../src/kernels/reference.js';
import { checkOp, compare } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const TOL = { rtol: 1e-4, atol: 1e-5 };

// [x shape, groups]: groups = 1 and = C, odd sizes, spatial 1 (x [N, C]), spatial below and above the
// workgroup size (the three channel-index modes of the shader), planes of a multiple of 4 (the vec4
// entry points), a long row.
const GROUP_CASES: [number[], number][] = [
  [[2, 6, 5, 3], 3],
  [[1, 4, 7], 1],
  [[3, 5, 2, 3], 5],
  [[2, 8], 4],
  [[3, 8], 1],
  [[2, 4, 16, 16], 2],
  [[1, 1, 1], 1],
  [[2, 4, 33, 17], 2],
  [[1, 6, 300], 3],
  [[1, 2, 128, 129], 1],
];
const LAYER_SHAPES = [[1], [4, 1], [3, 7], [2, 3, 64], [5, 257], [2, 1000]];

describe('group_norm', () => {
  it('forward, with and without affine', async () => {
    for (const [x, groups] of GROUP_CASES) {
      const c = x[1]!;
      await checkOp(ctx.rt, 'group_norm', [x, [c], [c]], { attrs: { groups }, ...TOL });
      await checkOp(ctx.rt, 'group_norm', [x], { attrs: { groups, eps: 1e-3 }, ...TOL });
    }
  });
  it('input gradient, with and without weight', async () => {
    for (const [x, groups] of GROUP_CASES) {
      await checkOp(ctx.rt, 'group_norm_backward_input', [x, [x[1]!], x], { attrs: { groups }, ...TOL });
      await checkOp(ctx.rt, 'group_norm_backward_input', [x, x], { attrs: { groups }, ...TOL });
    }
  });
  it('is stable for a large mean with a small variance', async () => {
    for (const spatial of [[9, 11], [16, 16]]) await offsetCase(spatial);
  });
  async function offsetCase(spatial: number[]): Promise<void> {
    // Mean 1e4, spread 1e-1: E[x^2] - E[x]^2 in f32 would lose every digit of the variance. [16, 16]
    // takes the vec4 entry point.
    const shape = [2, 4, ...spatial];
    const size = 8 * spatial[0]! * spatial[1]!;
    const x = randomValues(size, 5, 1e4 - 0.1, 1e4 + 0.1);
    const values = [x, randomValues(4, 6), randomValues(4, 7)];
    await checkOp(ctx.rt, 'group_norm', [shape, [4], [4]], { attrs: { groups: 2 }, values, rtol: 1e-4, atol: 1e-4 });
    const dy = randomValues(x.length, 8);
    const gradValues = [x, values[1]!, dy];
    await checkOp(ctx.rt, 'group_norm_backward_input', [shape, [4], shape], { attrs: { groups: 2 }, values: gradValues, rtol: 1e-4, atol: 1e-3 });
  }
  it('rejects bad shapes with the numbers', () => {
    const infer = (shapes: number[][], groups: number) =>
      getOp('group_norm').infer(shapes.map((shape) => ({ shape, dtype: 'f32' })), { groups });
    expect(() => infer([[2, 6, 4]], 4)).toThrow(/groups must be a positive divisor of the 6 channels/);
    expect(() => infer([[6]], 1)).toThrow(ShapeError);
    expect(() => infer([[2, 6, 4], [5], [6]], 3)).toThrow(/weight must be \[6\]/);
    expect(() => infer([[2, 6, 4], [6]], 3)).toThrow(ShapeError);
  });
});

describe('layer_norm', () => {
  it('forward, with and without affine', async () => {
    for (const x of LAYER_SHAPES) {
      const d = x[x.length - 1]!;
      await checkOp(ctx.rt, 'layer_norm', [x, [d], [d]], TOL);
      await checkOp(ctx.rt, 'layer_norm', [x], TOL);
    }
  });
  it('input gradient, with and without weight', async () => {
    for (const x of LAYER_SHAPES) {
      await checkOp(ctx.rt, 'layer_norm_backward_input', [x, [x[x.length - 1]!], x], TOL);
      await checkOp(ctx.rt, 'layer_norm_backward_input', [x, x], TOL);
    }
  });
  it('is stable for a large mean with a small variance', async () => {
    const x = randomValues(3 * 200, 9, 1e4 - 0.1, 1e4 + 0.1);
    await checkOp(ctx.rt, 'layer_norm', [[3, 200]], { values: [x], rtol: 1e-4, atol: 1e-4 });
    const values = [x, randomValues(200, 10), randomValues(200, 11)];
    await checkOp(ctx.rt, 'layer_norm', [[3, 200], [200], [200]], { values, rtol: 1e-4, atol: 1e-4 });
  });
  it('rejects a weight that does not match the last axis', () => {
    const spec = (shape: number[]) => ({ shape, dtype: 'f32' as const });
    expect(() => getOp('layer_norm').infer([spec([3, 5]), spec([3]), spec([5])], {})).toThrow(/weight must be \[5\]/);
  });
});

describe('batch_norm_inference', () => {
  it('matches the reference', async () => {
    for (const x of [[2, 3, 5, 7], [1, 4], [3, 2, 70], [1, 1, 1, 1], [2, 5, 200, 9]]) {
      const c = x[1]!;
      await checkOp(ctx.rt, 'batch_norm_inference', [x, [c], [c]], { rtol: 1e-6, atol: 1e-6 });
    }
  });
  it('folds running statistics the way BatchNorm evaluates them', () => {
    const { scale, shift } = foldBatchNorm([1, -2], [4, 0.25], [2, 1], [0.5, 0], 0);
    expect(Array.from(scale)).toEqual([1, 2]);
    expect(Array.from(shift)).toEqual([-0.5, 4]);
  });
});

describe('eager wrappers', () => {
  it('groupNorm, groupNormBackwardInput and layerNorm match their references', async () => {
    const rt = ctx.rt;
    const xv = randomValues(2 * 6 * 10, 31);
    const wv = randomValues(6, 32);
    const bv = randomValues(6, 33);
    const dyv = randomValues(xv.length, 34);
    const x = rt.upload(xv, [2, 6, 10], 'f32', 'x');
    const w = rt.upload(wv, [6], 'f32', 'w');
    const b = rt.upload(bv, [6], 'f32', 'b');
    const dy = rt.upload(dyv, [2, 6, 10], 'f32', 'dy');
    const hx = host([2, 6, 10], xv);
    const y = await groupNorm(rt, x, w, b, { groups: 2 });
    const dx = await groupNormBackwardInput(rt, x, w, dy, { groups: 2 });
    const z = await layerNorm(rt, x, null, null);
    const checks: [ArrayLike<number>, Float64Array][] = [
      [await rt.read(y), groupNormReference(hx, host([6], wv), host([6], bv), { groups: 2 }).data],
      [await rt.read(dx), groupNormBackwardInputReference(hx, host([6], wv), host(dy.shape, dyv), { groups: 2 }).data],
      [await rt.read(z), layerNormReference(hx, null, null).data],
    ];
    for (const t of [x, w, b, dy, y, dx, z]) t.destroy();
    for (const [got, want] of checks) expect(compare(got, want, 1e-4, 1e-5).ok).toBe(true);
  });
});
