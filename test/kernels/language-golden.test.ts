/**
 * group_logsumexp and embedding_bag against PyTorch (tools/pytorch/golden_language.py): outputs, and the
 * input gradients through the graph's autodiff (so the gradient rules and the compiled executor with
 * plan constants are checked too).
 */
import { describe, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { expectClose as close } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';


const expectClose = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number) =>
  close(what, got, want, rtol, atol, 'PyTorch');
const ctx = useRuntime();


/** Build y = op(input) and loss = sum(y * grad_out), run forward and backward, return y and d loss / d input. */
async function runWithGradient(op: string, inputName: string, fixture: string): Promise<{ out: Float32Array; grad: Float32Array }> {
  const { tensors: t, attrs } = loadGolden(fixture);
  const g = new Graph();
  const x = g.input(inputName, t[inputName]!.shape);
  const y = g.apply(op, [x], attrs);
  const loss = g.sum(g.mul(y, g.constant(t.grad_out!.data, y.shape)));
  const grads = backward(g, loss, [x]);
  const exe = await compile(ctx.rt, g, { outputs: [y, grads.get(x)!] });
  const result = await exe.run({ [inputName]: t[inputName]!.data });
  exe.destroy();
  return { out: result[y.name]!, grad: result[grads.get(x)!.name]! };
}

describe('ragged language ops vs PyTorch', () => {
  it('language_group_logsumexp: class scores and their gradient', async () => {
    const { tensors: t } = loadGolden('language_group_logsumexp');
    const { out, grad } = await runWithGradient('group_logsumexp', 'x', 'language_group_logsumexp');
    // x ~ 4 * N(0, 1): measured worst errors vs PyTorch 4.8e-7 (out) and 3.6e-7 (grad_x), a few f32 ulps;
    // the tolerances leave about 4x room for other adapters' exp/log.
    expectClose('out', out, t.out!.data, 1e-5, 2e-6);
    expectClose('grad_x', grad, t.grad_x!.data, 1e-5, 2e-6);
  });

  for (const mode of ['mean', 'sum']) {
    it(`language_embedding_bag_${mode}: pooled rows (an empty bag gives zeros) and the weight gradient`, async () => {
      const name = `language_embedding_bag_${mode}`;
      const { tensors: t } = loadGolden(name);
      const { out, grad } = await runWithGradient('embedding_bag', 'weight', name);
      // Sums of at most 4 rows (measured: exact, or 1.2e-7 with the 1/n of 'mean').
      expectClose('out', out, t.out!.data, 1e-5, 1e-6);
      expectClose('grad_weight', grad, t.grad_weight!.data, 1e-5, 1e-6);
    });
  }
});
