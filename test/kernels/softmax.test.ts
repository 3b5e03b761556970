import { describe, expect, it } from 'vitest';
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

describe('softmax kernels side by side', () => {
  it('the workgroup-reduction kernel (GPUs) and the subgroup kernel (8-lane CPU adapters) agree with the reference', async () => {
    const { softmaxPlan, softmaxReference } = await import('../../src/kernels/softmax.js');
    const { runPlan } = await import('../../src/kernels/launch.js');
    const { matmulTarget } = await import('../../src/kernels/matmul/matmul.js');
    const { host } = await import('../../src/kernels/reference.js');
    const shape = [5, 1000];
    const values = randomValues(5000, 5, -6, 6);
    for (const log of [false, true]) {
      const reference = softmaxReference(host(shape, values), log).data;
      for (const target of [undefined, matmulTarget(ctx.rt)]) {
        const plan = softmaxPlan(shape, log, target);
        const out = await ctx.rt.read(await runPlan(ctx.rt, plan, [ctx.rt.upload(values, shape)], 'softmax'));
        out.forEach((v, i) => {
          if (Math.abs(v - reference[i]!) > 1e-5 + 1e-5 * Math.abs(reference[i]!)) {
            throw new Error(`${plan.launches[0]!.shader} log=${log}: element ${i} is ${v}, reference ${reference[i]}`);
          }
        });
      }
    }
    if (ctx.dev.adapter.vendor === 'mesa') expect(softmaxPlan(shape, false, matmulTarget(ctx.rt)).launches[0]!.shader).toBe('softmax_subgroup');
    expect(softmaxPlan(shape, false).launches[0]!.shader).toBe('softmax');
  });
});
