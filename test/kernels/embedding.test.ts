/**
 * embedding_bag and its weight gradient (the segment gather-sum kernel over the bags and over the
 * transposed bags) against their float64 references, on the eager path; the compiled path is covered
 * by the gradient check (test/graph/gradcases/language.ts).
 */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { getOp } from '../../src/graph/ops/index.js';
import { embeddingBag, embeddingBagBackward, embeddingBagBackwardPlan, embeddingBagPlan, type BagMode } from '../../src/kernels/embedding.js';
import { checkOp } from '../helpers/check-op.js';
import { randomValues, rng } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const TOL = { rtol: 1e-5, atol: 1e-6 };

/** Bags of the given sizes with seeded ids below `vocab` (repeats happen when a bag is long or V small). */
function bags(sizes: number[], vocab: number, seed: number, mode: BagMode = 'mean'): { offsets: number[]; ids: number[]; mode: BagMode } {
  const next = rng(seed);
  const offsets = [0];
  for (const s of sizes) offsets.push(offsets.at(-1)! + s);
  const ids = Array.from({ length: offsets.at(-1)! }, () => Math.floor(next() * vocab));
  return { offsets, ids, mode };
}

// [V, D, bag sizes]: D not a multiple of 4 (the scalar entry), D = 1, multiples of 4 (the vec4 entry),
// empty bags (first, middle, last), one bag, more invocations than one workgroup.
const CASES: [number, number, number[]][] = [
  [7, 5, [2, 0, 3, 1]],
  [4, 1, [1, 3, 0, 2]],
  [10, 4, [0, 4, 2]],
  [6, 8, [5, 1, 1, 0]],
  [3, 3, [9]],
  [50, 64, [3, 7, 1, 12, 4]],
  [20, 33, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]],
];

describe('embedding_bag', () => {
  it('forward, sum and mean', async () => {
    for (const [k, [v, d, sizes]] of CASES.entries()) {
      for (const mode of ['sum', 'mean'] as const) {
        await checkOp(ctx.rt, 'embedding_bag', [[v, d]], { attrs: bags(sizes, v, 10 + k, mode), ...TOL });
      }
    }
  });

  it('weight gradient over the transposed bags, sum and mean', async () => {
    for (const [k, [v, d, sizes]] of CASES.entries()) {
      for (const mode of ['sum', 'mean'] as const) {
        const b = bags(sizes, v, 20 + k, mode);
        await checkOp(ctx.rt, 'embedding_bag_backward', [[sizes.length, d]], { attrs: { ...b, vocab: v }, ...TOL });
      }
    }
  });

  it('sums repeated ids in one bag, and gives a zero row for an empty bag', async () => {
    const attrs = { offsets: [0, 4, 4, 5], ids: [1, 1, 2, 1, 0], mode: 'sum' as const };
    const w = [1, 10, 2, 20, 3, 30];
    const got = await runEager([3, 2], w, attrs);
    expect(Array.from(got)).toEqual([3 * 2 + 3, 3 * 20 + 30, 0, 0, 1, 10]);
    const mean = await runEager([3, 2], w, { ...attrs, mode: 'mean' });
    expect(Array.from(mean)).toEqual([(9 / 4), (90 / 4), 0, 0, 1, 10].map(Math.fround));
    // Repeated ids in the backward: row 1 gets three uses of bag 0.
    await checkOp(ctx.rt, 'embedding_bag_backward', [[3, 6]], { attrs: { ...attrs, vocab: 3 }, ...TOL });
    await checkOp(ctx.rt, 'embedding_bag_backward', [[3, 5]], { attrs: { ...attrs, mode: 'mean', vocab: 3 }, ...TOL });
  });

  it('handles a large vocabulary with few rows used (zero gradient rows elsewhere)', async () => {
    const vocab = 20000;
    const attrs = { offsets: [0, 3, 5, 6], ids: [19999, 7, 19999, 0, 12345, 7], mode: 'mean' as const };
    await checkOp(ctx.rt, 'embedding_bag', [[vocab, 12]], { attrs, ...TOL });
    await checkOp(ctx.rt, 'embedding_bag_backward', [[3, 12]], { attrs: { ...attrs, vocab }, ...TOL });
    await checkOp(ctx.rt, 'embedding_bag_backward', [[3, 3]], { attrs: { ...attrs, vocab }, ...TOL });
  });

  it('covers outputs beyond 65535 workgroups (the dispatch grid splits over y)', async () => {
    // 70000 x 61 = 4.27M outputs (scalar entry) = 66719 workgroups of 64.
    const attrs = { offsets: [0, 2, 3], ids: [69999, 5, 69999], mode: 'sum' as const, vocab: 70000 };
    await checkOp(ctx.rt, 'embedding_bag_backward', [[2, 61]], { attrs, ...TOL });
  });

  it('handles no bags and bags with no ids at all', async () => {
    await checkOp(ctx.rt, 'embedding_bag', [[5, 4]], { attrs: { offsets: [0], ids: [] } });
    await checkOp(ctx.rt, 'embedding_bag', [[5, 3]], { attrs: { offsets: [0, 0, 0], ids: [] } });
    await checkOp(ctx.rt, 'embedding_bag_backward', [[2, 3]], { attrs: { offsets: [0, 0, 0], ids: [], vocab: 5 } });
  });

  it('eager API matches the op table, and the backward is deterministic', async () => {
    const attrs = bags([4, 0, 6, 3, 2], 9, 99, 'mean');
    const dy = randomValues(5 * 6, 3);
    const t = ctx.rt.upload(dy, [5, 6], 'f32', 'dy');
    const first = await ctx.rt.read(await embeddingBagBackward(ctx.rt, t, attrs, 9));
    const second = await ctx.rt.read(await embeddingBagBackward(ctx.rt, t, attrs, 9));
    t.destroy();
    expect(Array.from(second)).toEqual(Array.from(first));
    const want = getOp('embedding_bag_backward').reference([{ shape: [5, 6], data: Float64Array.from(dy) }], { ...attrs, vocab: 9 });
    first.forEach((v, i) => expect(Math.abs(v - want.data[i]!)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want.data[i]!)));
  });

  it('builds the transposed index once per ids array', () => {
    const attrs = bags([3, 2, 4], 6, 5);
    const a = embeddingBagBackwardPlan([3, 4], attrs, 6);
    const b = embeddingBagBackwardPlan([3, 4], { ...attrs }, 6);
    expect(b.constants![0]).toBe(a.constants![0]);
    // A different vocabulary is a different index.
    expect(embeddingBagBackwardPlan([3, 4], attrs, 7).constants![0]!.length).toBe(8);
  });

  it('rejects bad bags and shapes with ShapeError naming the numbers', () => {
    const fwd = (w: number[], attrs: object) => () => embeddingBagPlan(w, attrs as never);
    expect(fwd([4, 2], { offsets: [0, 2], ids: [1, 4] })).toThrow(ShapeError);
    expect(fwd([4, 2], { offsets: [0, 2], ids: [1, 4] })).toThrow(/embedding_bag: ids\[1\] = 4 is not a row of the weight \(vocabulary of 4 rows/);
    expect(fwd([4, 2], { offsets: [0, 2], ids: [1, -1] })).toThrow(/ids\[1\] = -1/);
    expect(fwd([4, 2], { offsets: [0, 2, 1], ids: [1, 1] })).toThrow(/non-decreasing.*offsets\[2\] = 1 after offsets\[1\] = 2/);
    expect(fwd([4, 2], { offsets: [1, 2], ids: [1, 1] })).toThrow(/offsets\[0\] must be 0, got 1/);
    expect(fwd([4, 2], { offsets: [0, 1], ids: [1, 1] })).toThrow(/last offset \(1\) must equal the number of ids \(2\)/);
    expect(fwd([4, 2], { offsets: [], ids: [] })).toThrow(/offsets must have T \+ 1 >= 1 entries/);
    expect(fwd([8], { offsets: [0], ids: [] })).toThrow(/weight must be 2-D \[V, D\], got \[8\]/);
    expect(fwd([4, 2], { offsets: [0, 1], ids: [1], mode: 'max' })).toThrow(/mode must be 'sum' or 'mean', got "max"/);
    const bwd = (dy: number[], vocab: number) => () => embeddingBagBackwardPlan(dy, { offsets: [0, 1, 2], ids: [0, 3] }, vocab);
    expect(bwd([3, 2], 4)).toThrow(/embedding_bag_backward: dy must be \[T, D\] with T = 2 bags.*got \[3, 2\]/);
    expect(bwd([2, 2], 3)).toThrow(/embedding_bag_backward: ids\[1\] = 3 is not a row.*vocabulary of 3 rows/);
    expect(bwd([2, 2], 2.5)).toThrow(/vocab must be a non-negative integer/);
    expect(() => getOp('embedding_bag').infer([{ shape: [4, 2], dtype: 'f32' }], { ids: [0] })).toThrow(/attrs.offsets must be an array of integers, got nothing/);
  });
});

async function runEager(shape: number[], weight: number[], attrs: { offsets: number[]; ids: number[]; mode: BagMode }): Promise<Float32Array> {
  const w = ctx.rt.upload(weight, shape, 'f32', 'weight');
  const out = await embeddingBag(ctx.rt, w, attrs);
  const got = (await ctx.rt.read(out)) as Float32Array;
  w.destroy();
  out.destroy();
  return got;
}
