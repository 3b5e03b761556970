/**
 * Ragged ops of LangSeg's language side and head: embedding_bag (token ids -> pooled embeddings) and
 * group_logsumexp (descriptor scores -> class scores), each with its backward kernel as an op of its own.
 * Their index data (bags, groups) is static: plain number arrays in attrs, uploaded as plan constants.
 */
import { ShapeError } from '../../errors.js';
import {
  embeddingBagBackwardPlan,
  embeddingBagBackwardReference,
  embeddingBagPlan,
  embeddingBagReference,
  type BagMode,
  type EmbeddingBags,
} from '../../kernels/embedding.js';
import {
  groupLogSumExpBackwardPlan,
  groupLogSumExpBackwardReference,
  groupLogSumExpPlan,
  groupLogSumExpReference,
  type GroupLogSumExpOptions,
} from '../../kernels/group-logsumexp.js';
import { registerGradient } from '../gradients.js';
import { defineOp as define, type OpAttrs } from '../op-registry.js';

/** An attr that must be an array of numbers (kept as the same object: the kernels memoise by identity). */
function numbers(op: string, attrs: OpAttrs, name: string): ArrayLike<number> {
  const value = attrs[name];
  const ok = Array.isArray(value) || value instanceof Uint32Array || value instanceof Int32Array || value instanceof Float64Array;
  if (!ok) throw new ShapeError(`${op}: attrs.${name} must be an array of integers, got ${value === undefined ? 'nothing' : typeof value}`);
  return value as ArrayLike<number>;
}

const bagsOf = (op: string, a: OpAttrs): EmbeddingBags => ({
  offsets: numbers(op, a, 'offsets'),
  ids: numbers(op, a, 'ids'),
  mode: a.mode as BagMode | undefined,
});
const groupsOf = (op: string, a: OpAttrs): GroupLogSumExpOptions => ({ groups: numbers(op, a, 'groups'), axis: a.axis as number | undefined });

// embedding_bag(weight [V, D]) { offsets (T + 1), ids, mode = 'mean' } -> [T, D].
define(
  'embedding_bag',
  1,
  (_, [w], a) => embeddingBagPlan(w!.shape, bagsOf('embedding_bag', a)),
  ([w], a) => embeddingBagReference(w!, bagsOf('embedding_bag', a)),
);
// embedding_bag_backward(dy [T, D]) { offsets, ids, mode, vocab: V } -> dweight [V, D].
define(
  'embedding_bag_backward',
  1,
  (_, [dy], a) => embeddingBagBackwardPlan(dy!.shape, bagsOf('embedding_bag_backward', a), a.vocab as number),
  ([dy], a) => embeddingBagBackwardReference(dy!, bagsOf('embedding_bag_backward', a), a.vocab as number),
);

// group_logsumexp(x [..., K, ...]) { groups (C + 1 offsets), axis = 1 } -> [..., C, ...].
define(
  'group_logsumexp',
  1,
  (_, [x], a) => groupLogSumExpPlan(x!.shape, groupsOf('group_logsumexp', a)),
  ([x], a) => groupLogSumExpReference(x!, groupsOf('group_logsumexp', a)),
);
// group_logsumexp_backward(x, y, dy) { groups, axis } -> dx.
define(
  'group_logsumexp_backward',
  3,
  (_, [x, y, dy], a) => groupLogSumExpBackwardPlan(x!.shape, y!.shape, dy!.shape, groupsOf('group_logsumexp_backward', a)),
  ([x, y, dy], a) => groupLogSumExpBackwardReference(x!, y!, dy!, groupsOf('group_logsumexp_backward', a)),
);

// The weight gradient gathers dy over the transposed bags (built once per ids array: the attrs' arrays are shared).
registerGradient('embedding_bag', (g, node, dy) => {
  const vocab = node.inputs[0]!.shape[0]!;
  return [() => g.apply('embedding_bag_backward', [dy], { ...node.attrs, vocab })];
});

// d logsumexp / dx[k] = softmax within k's group = exp(x[k] - y[c(k)]), with y the node's own output.
registerGradient('group_logsumexp', (g, node, dy) => [() => g.apply('group_logsumexp_backward', [node.inputs[0]!, node.output, dy], node.attrs)]);
