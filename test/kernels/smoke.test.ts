import { describe, it } from 'vitest';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
describe('smoke', () => {
  it('relu', async () => { await checkOp(ctx.rt, 'relu', [[17]]); });
  it('add', async () => { await checkOp(ctx.rt, 'add', [[3, 5], [5]]); });
  it('matmul', async () => { await checkOp(ctx.rt, 'matmul', [[33, 17], [17, 20]], { rtol: 1e-5, atol: 1e-5 }); });
  it('softmax', async () => { await checkOp(ctx.rt, 'softmax', [[3, 70]]); });
  it('sum', async () => { await checkOp(ctx.rt, 'reduce_sum', [[3, 70, 2]], { attrs: { axes: [1] }, atol: 1e-5 }); });
  it('transpose', async () => { await checkOp(ctx.rt, 'transpose', [[3, 70, 2]], { attrs: { perm: [2, 0, 1] } }); });
});
