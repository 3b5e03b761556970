/**
 * Group norm, layer norm and folded batch norm against PyTorch (tools/pytorch/golden_norm.py): outputs,
 * and the input, weight and bias gradients through the graph's autodiff.
 */
import { describe, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { getOp } from '../../src/graph/ops/index.js';
import { batchNormInference, foldBatchNorm } from '../../src/kernels/norm/batch-norm.js';
import { expectClose as close } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';


const expectClose = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number) =>
  close(what, got, want, rtol, atol, 'PyTorch');
const ctx = useRuntime();


interface Tol {
  rtol: number;
  atol: number;
}
const TIGHT: Tol = { rtol: 1e-4, atol: 1e-5 };
// Gradients sum over whole rows: allow for f32 accumulation over them.
const GRAD: Tol = { rtol: 1e-3, atol: 1e-4 };

// [fixture, op, output tolerance, gradient tolerance] against PyTorch. The offset fixture (mean 1e4,
// spread 0.1) is looser: PyTorch's own f32 results there are off from float64 (checked with torch in
// float64) by 1.3e-2 (out) and 5e-2 (grad_x, grad_weight); ours is also checked against our float64
// references at tight tolerances.
const AFFINE: [string, 'group_norm' | 'layer_norm', Tol, Tol][] = [
  ['norm_group_norm', 'group_norm', TIGHT, GRAD],
  ['norm_group_norm_instance', 'group_norm', TIGHT, GRAD],
  ['norm_group_norm_offset', 'group_norm', { rtol: 1e-3, atol: 2e-2 }, { rtol: 1e-3, atol: 1e-1 }],
  ['norm_layer_norm', 'layer_norm', TIGHT, GRAD],
  ['norm_layer_norm_odd', 'layer_norm', TIGHT, GRAD],
];

describe('normalisation vs PyTorch', () => {
  for (const [name, op, tol, gradTol] of AFFINE) {
    it(name, async () => {
      const { tensors: t, attrs } = loadGolden(name);
      const g = new Graph();
      const x = g.input('x', t.x!.shape);
      const w = g.input('weight', t.weight!.shape);
      const b = g.input('bias', t.bias!.shape);
      const y = g.apply(op, [x, w, b], attrs);
      const loss = g.sum(g.mul(y, g.constant(t.grad_out!.data, y.shape)));
      const grads = backward(g, loss, [x, w, b]);
      const exe = await compile(ctx.rt, g, { outputs: [y, ...grads.values()] });
      const out = await exe.run({ x: t.x!.data, weight: t.weight!.data, bias: t.bias!.data });
      exe.destroy();
      const dx = out[grads.get(x)!.name]!;
      expectClose(`${name} out`, out[y.name]!, t.out!.data, tol.rtol, tol.atol);
      expectClose(`${name} grad_x`, dx, t.grad_x!.data, gradTol.rtol, gradTol.atol);
      expectClose(`${name} grad_weight`, out[grads.get(w)!.name]!, t.grad_weight!.data, gradTol.rtol, gradTol.atol);
      expectClose(`${name} grad_bias`, out[grads.get(b)!.name]!, t.grad_bias!.data, GRAD.rtol, GRAD.atol);
      const exactOut = getOp(op).reference([t.x!, t.weight!, t.bias!], attrs);
      const exactDx = getOp(`${op}_backward_input`).reference([t.x!, t.weight!, t.grad_out!], attrs);
      expectClose(`${name} out vs float64 reference`, out[y.name]!, exactOut.data, 1e-4, 1e-4);
      expectClose(`${name} grad_x vs float64 reference`, dx, exactDx.data, 1e-4, 1e-3);
    });
  }

  it('norm_batch_norm_eval: folded scale and shift give BatchNorm2d.eval()', async () => {
    const { tensors: t, attrs } = loadGolden('norm_batch_norm_eval');
    const { scale, shift } = foldBatchNorm(t.running_mean!.data, t.running_var!.data, t.weight!.data, t.bias!.data, attrs.eps as number);
    const x = ctx.rt.upload(Float32Array.from(t.x!.data), t.x!.shape, 'f32', 'x');
    const s = ctx.rt.upload(scale, [scale.length], 'f32', 'scale');
    const h = ctx.rt.upload(shift, [shift.length], 'f32', 'shift');
    const y = await batchNormInference(ctx.rt, x, s, h);
    const got = await ctx.rt.read(y);
    for (const tensor of [x, s, h, y]) tensor.destroy();
    expectClose('batch_norm out', got, t.out!.data, 1e-5, 1e-5);
  });
});
