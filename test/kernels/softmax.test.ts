import { describe, it } from 'vitest';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';
import { randomValues } from '../helpers/random.js';

const ctx = useRuntime();
const SHAPES = [[1], [1, 1], [3, 7], [2, 3, 65], [5, 1000]];

describe('softmax and log-softmax over the last axis', () => {
  for (const op of ['softmax', 'log_softmax']) {
    it(op, async () => {
      for (const shape of SHAPES) await checkOp(ctx.rt, op, [shape], { rtol: 1e-5, atol: 1e-6 });
    });
    it(`${op} is stable for large logits`, async () => {
      // exp(90) overflows f32; the max subtraction must keep the result finite and exact.
      const values = randomValues(4 * 33, 99, -90, 90);
      await checkOp(ctx.rt, op, [[4, 33]], { values: [values], rtol: 1e-5, atol: 1e-5 });
    });
  }
});
