/**
 * Attention ops: `attention` (q, k, v[, mask]) { scale } -> O, with the row log-sum-exp as its aux output,
 * and `attention_backward` (q, k, v, o, lse, dO[, mask]) { scale } -> dQ, with dK and dV as aux outputs.
 * Shapes and semantics: src/kernels/attention/attention.ts. Graph.attention() picks this fused op, or
 * composes matmul and softmax where the fused kernel cannot take the head size.
 */
import { attentionBackwardPlan, attentionPlan, type AttentionOptions } from '../../kernels/attention/attention.js';
import { attentionBackwardReference, attentionReference } from '../../kernels/attention/reference.js';
import type { HostTensor } from '../../kernels/reference.js';
import { registerGradient } from '../gradients.js';
import { defineOp, type OpAttrs } from '../op-registry.js';

const options = (a: OpAttrs): AttentionOptions => ({ scale: a.scale as number | undefined });
const scaleOf = (a: OpAttrs, q: HostTensor): number => (a.scale as number | undefined) ?? 1 / Math.sqrt(q.shape[3]!);

defineOp(
  'attention',
  [3, 4],
  (target, [q, k, v, mask], a) => attentionPlan(q!.shape, k!.shape, v!.shape, mask?.shape ?? null, options(a), target),
  ([q, k, v, mask], a) => attentionReference(q!, k!, v!, mask ?? null, scaleOf(a, q!)).o,
);

defineOp(
  'attention_backward',
  [6, 7],
  (target, [q, k, v, o, lse, dout, mask], a) =>
    attentionBackwardPlan(q!.shape, k!.shape, v!.shape, o!.shape, lse!.shape, dout!.shape, mask?.shape ?? null, options(a), target),
  ([q, k, v, , , dout, mask], a) => attentionBackwardReference(q!, k!, v!, dout!, mask ?? null, scaleOf(a, q!)).dq,
);

// The mask gets no gradient (it selects keys; it is not a weight).
registerGradient('attention', (g, node, dy) => {
  const [q, k, v, mask] = node.inputs;
  let dq: ReturnType<typeof g.apply> | undefined;
  const grads = () => (dq ??= g.apply('attention_backward', [q!, k!, v!, node.output, node.aux[0]!, dy, ...(mask ? [mask] : [])], node.attrs));
  return [grads, () => g.auxOf(grads(), 0), () => g.auxOf(grads(), 1), null];
});
