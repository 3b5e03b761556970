import { describe, expect, it } from 'vitest';
import { broadcastToPlan, transpose } from '../../src/kernels/transpose.js';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

describe('transpose / permute', () => {
  it('matches the CPU reference for assorted permutations', async () => {
    const cases: [number[], number[] | undefined][] = [
      [[1], [0]],
      [[7, 13], [1, 0]],
      [[7, 13], undefined],
      [[3, 70, 2], [2, 0, 1]],
      [[3, 5, 7], [0, 2, 1]], // batched 2-D transpose fast path
      [[130, 70], [1, 0]], // 2-D fast path over several 16x16 workgroups
      [[2, 3, 4, 5], [0, 2, 1, 3]],
      [[2, 1, 3, 1, 2, 3, 1, 2], [7, 6, 5, 4, 3, 2, 1, 0]],
      // Collapsing to rank <= 3 with an inner axis of >= 32: the grid-addressed gather.
      [[2, 4, 5, 40], [0, 2, 1, 3]],
      [[3, 6, 5, 7], [1, 0, 2, 3]],
    ];
    for (const [shape, perm] of cases) await checkOp(ctx.rt, 'transpose', [shape], { attrs: { perm }, rtol: 0, atol: 0 });
  });

  it('broadcastTo matches the CPU reference, by the grid gather and the general one', async () => {
    expect(broadcastToPlan([4, 1, 40], [4, 64, 40]).launches[0]!.entry).toBe('gather_grid');
    expect(broadcastToPlan([1, 3], [5, 3]).launches[0]!.entry).toBe('main'); // inner axis too short for the grid
    const cases: [number[], number[]][] = [
      [[4, 1, 40], [4, 6, 40]],
      [[1, 5, 1], [3, 5, 33]],
      [[2, 1, 3, 1], [2, 4, 3, 35]],
      [[1, 3], [5, 3]],
    ];
    for (const [from, to] of cases) await checkOp(ctx.rt, 'broadcast_to', [from], { attrs: { shape: to }, rtol: 0, atol: 0 });
  });

  it('moves integer data bit-exactly', async () => {
    const data = Int32Array.from({ length: 6 }, (_, i) => (i % 2 ? -1 : 1) * (2 ** 30 + i));
    const x = ctx.rt.upload(data, [2, 3], 'i32');
    const y = await transpose(ctx.rt, x);
    expect(y.dtype).toBe('i32');
    expect(Array.from(await ctx.rt.read(y))).toEqual([data[0], data[3], data[1], data[4], data[2], data[5]]);
  });
});
