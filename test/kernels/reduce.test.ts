import { describe, it } from 'vitest';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

const CASES: { shape: number[]; axes?: number[]; keepDims?: boolean }[] = [
  { shape: [1] },
  { shape: [1000] },
  { shape: [3, 70], axes: [1] },
  { shape: [3, 70], axes: [0] },
  { shape: [4, 5, 6], axes: [1] },
  { shape: [4, 5, 6], axes: [1, 2], keepDims: true },
  { shape: [4, 5, 6], axes: [0, 2] }, // two runs: reduced one after the other
  { shape: [3, 4, 5, 6], axes: [0, 2, 3] }, // NCHW per-channel: runs [2, 3] then [0]
  { shape: [2, 3, 4, 5, 2], axes: [0, 2, 4], keepDims: true }, // three runs
  { shape: [2, 3, 4, 5], axes: [-1, 0] },
  { shape: [7, 1, 9], axes: [1] },
  { shape: [2, 4099], axes: [1] }, // longer than the workgroup: strided loop + tree
];

describe('reductions against their CPU references', () => {
  for (const op of ['sum', 'mean', 'max']) {
    it(op, async () => {
      for (const c of CASES) {
        await checkOp(ctx.rt, `reduce_${op}`, [c.shape], { attrs: { axes: c.axes, keepDims: c.keepDims }, rtol: 1e-5, atol: 1e-5 });
      }
    });
  }
});
