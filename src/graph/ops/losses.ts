/**
 * Loss ops of LangSeg: cross_entropy (pixel cross-entropy with an ignore label, mean over valid pixels) with
 * its backward kernel as an op of its own, and group_mask (which descriptors belong to a label's class, for
 * the triplet loss). Labels are f32 tensors of class ids and never get a gradient.
 */
import { ShapeError } from '../../errors.js';
import {
  crossEntropyBackwardPlan,
  crossEntropyBackwardReference,
  crossEntropyPlan,
  crossEntropyReference,
  type CrossEntropyOptions,
} from '../../kernels/cross-entropy.js';
import { groupMaskPlan, groupMaskReference, type GroupMaskOptions } from '../../kernels/group-mask.js';
import { registerGradient } from '../gradients.js';
import { defineOp as define, type OpAttrs } from '../op-registry.js';

const crossEntropyOptions = (a: OpAttrs): CrossEntropyOptions => ({ ignore: a.ignore as number | undefined, weights: a.weights as number[] | undefined });

function groupMaskOptions(a: OpAttrs): GroupMaskOptions {
  const groups = a.groups;
  const ok = Array.isArray(groups) || groups instanceof Uint32Array || groups instanceof Int32Array || groups instanceof Float64Array;
  if (!ok) throw new ShapeError(`group_mask: attrs.groups must be an array of C + 1 offsets, got ${groups === undefined ? 'nothing' : typeof groups}`);
  return { groups: groups as ArrayLike<number>, ignore: a.ignore as number | undefined };
}

// cross_entropy(logits [B, C, ...spatial], labels [B, ...spatial]) { ignore = 255, weights? [C] } -> [1].
define(
  'cross_entropy',
  2,
  (_, [logits, labels], a) => crossEntropyPlan(logits!.shape, labels!.shape, crossEntropyOptions(a)),
  ([logits, labels], a) => crossEntropyReference(logits!, labels!, crossEntropyOptions(a)),
);
// cross_entropy_backward(logits, labels, dy [1]) { ignore, weights? } -> dlogits.
define(
  'cross_entropy_backward',
  3,
  (_, [logits, labels, dy], a) => crossEntropyBackwardPlan(logits!.shape, labels!.shape, dy!.shape, crossEntropyOptions(a)),
  ([logits, labels, dy], a) => crossEntropyBackwardReference(logits!, labels!, dy!, crossEntropyOptions(a)),
);

// group_mask(labels [...]) { groups (C + 1 offsets), ignore = 255 } -> [..., K]. No gradient (labels are data).
define(
  'group_mask',
  1,
  (_, [labels], a) => groupMaskPlan(labels!.shape, groupMaskOptions(a)),
  ([labels], a) => groupMaskReference(labels!, groupMaskOptions(a)),
);

// The logits get (softmax - onehot) * dy / count; the labels are class ids, with no gradient.
registerGradient('cross_entropy', (g, node, dy) => [() => g.apply('cross_entropy_backward', [node.inputs[0]!, node.inputs[1]!, dy], node.attrs), null]);
