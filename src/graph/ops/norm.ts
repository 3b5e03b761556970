/**
 * Normalisation ops: group_norm, layer_norm (forward, input-gradient kernels as their own ops) and
 * batch_norm_inference, with their gradient rules. The forwards save nothing: the input gradient
 * recomputes the statistics from x, and weight/bias gradients are composed from graph ops.
 */
import { ShapeError } from '../../errors.js';
import { defineOp as define, type OpAttrs } from '../op-registry.js';
import { registerGradient } from '../gradients.js';
import type { Graph, SymbolicTensor } from '../graph.js';
import { batchNormInferencePlan, batchNormInferenceReference } from '../../kernels/norm/batch-norm.js';
import {
  groupNormBackwardInputPlan,
  groupNormBackwardInputReference,
  groupNormPlan,
  groupNormReference,
  type GroupNormOptions,
} from '../../kernels/norm/group-norm.js';
import {
  layerNormBackwardInputPlan,
  layerNormBackwardInputReference,
  layerNormPlan,
  layerNormReference,
  type LayerNormOptions,
} from '../../kernels/norm/layer-norm.js';

const groupOptions = (a: OpAttrs): GroupNormOptions => ({ groups: a.groups as number, eps: a.eps as number | undefined });
const layerOptions = (a: OpAttrs): LayerNormOptions => ({ eps: a.eps as number | undefined });
/** The weight of a backward-input op's (x, weight, dy), or null for (x, dy). */
const weightOf = <T>(inputs: T[]): T | null => (inputs.length === 3 ? inputs[1]! : null);

// group_norm(x [N, C, *], weight? [C], bias? [C]) { groups, eps = 1e-5 }: 1 input (no affine) or 3.
define(
  'group_norm',
  [1, 3],
  (_, [x, w, b], a) => groupNormPlan(x!.shape, affineShapes('group_norm', w?.shape, b?.shape), groupOptions(a)),
  ([x, w, b], a) => groupNormReference(x!, w ?? null, b ?? null, groupOptions(a)),
);
// group_norm_backward_input(x, weight?, dy) { groups, eps }: dL/dx of group_norm.
define(
  'group_norm_backward_input',
  [2, 3],
  (_, inputs, a) => groupNormBackwardInputPlan(inputs[0]!.shape, weightOf(inputs)?.shape ?? null, inputs.at(-1)!.shape, groupOptions(a)),
  (inputs, a) => groupNormBackwardInputReference(inputs[0]!, weightOf(inputs), inputs.at(-1)!, groupOptions(a)),
);

// layer_norm(x [..., D], weight? [D], bias? [D]) { eps = 1e-5 }: normalised over the last axis.
define(
  'layer_norm',
  [1, 3],
  (_, [x, w, b], a) => layerNormPlan(x!.shape, affineShapes('layer_norm', w?.shape, b?.shape), layerOptions(a)),
  ([x, w, b], a) => layerNormReference(x!, w ?? null, b ?? null, layerOptions(a)),
);
define(
  'layer_norm_backward_input',
  [2, 3],
  (_, inputs, a) => layerNormBackwardInputPlan(inputs[0]!.shape, weightOf(inputs)?.shape ?? null, inputs.at(-1)!.shape, layerOptions(a)),
  (inputs, a) => layerNormBackwardInputReference(inputs[0]!, weightOf(inputs), inputs.at(-1)!, layerOptions(a)),
);

// batch_norm_inference(x [N, C, *], scale [C], shift [C]): y = x * scale + shift per channel.
define(
  'batch_norm_inference',
  3,
  (_, [x, scale, shift]) => batchNormInferencePlan(x!.shape, scale!.shape, shift!.shape),
  ([x, scale, shift]) => batchNormInferenceReference(x!, scale!, shift!),
);

type Shape = readonly number[];

function affineShapes(op: string, w: Shape | undefined, b: Shape | undefined): [Shape, Shape] | null {
  if (!w) return null;
  // A weight without a bias is refused rather than guessed at: PyTorch's modules have both or neither.
  if (!b) throw new ShapeError(`${op}: takes x alone or x, weight and bias; got x and weight only`);
  return [w, b];
}

function memo(make: () => SymbolicTensor): () => SymbolicTensor {
  let value: SymbolicTensor | undefined;
  return () => (value ??= make());
}

/** Sum t over `axes` (none: t itself), giving the per-channel vector. */
function sumOver(g: Graph, t: SymbolicTensor, axes: number[]): SymbolicTensor {
  return axes.length > 0 ? g.sum(t, axes) : t;
}

/**
 * Gradients of y = xhat * weight + bias, xhat = normalise(x): dx by the backward-input kernel;
 * dweight = sum(dy * xhat) and dbias = sum(dy) over every axis but the channel one, with xhat
 * recomputed by the forward without affine (the forward saved nothing).
 */
function normGradient(forward: 'group_norm' | 'layer_norm', channelAxis: (rank: number) => number) {
  return (g: Graph, node: { inputs: SymbolicTensor[]; attrs: OpAttrs }, dy: SymbolicTensor) => {
    const [x, w] = node.inputs as [SymbolicTensor, SymbolicTensor | undefined];
    const rank = x.shape.length;
    const keep = channelAxis(rank);
    const axes = x.shape.map((_, i) => i).filter((i) => i !== keep);
    const dx = () => g.apply(`${forward}_backward_input`, w ? [x, w, dy] : [x, dy], node.attrs);
    if (!w) return [dx];
    const xhat = memo(() => g.apply(forward, [x], node.attrs));
    return [dx, () => sumOver(g, g.mul(dy, xhat()), axes), () => sumOver(g, dy, axes)];
  };
}

registerGradient('group_norm', normGradient('group_norm', () => 1));
registerGradient('layer_norm', normGradient('layer_norm', (rank) => rank - 1));

// y = x * scale[c] + shift[c]: dx = dy * scale, dscale = sum(dy * x), dshift = sum(dy) per channel.
registerGradient('batch_norm_inference', (g, node, dy) => {
  const [x, scale] = node.inputs as [SymbolicTensor, SymbolicTensor];
  const rank = x.shape.length;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const column = [x.shape[1]!, ...new Array<number>(rank - 2).fill(1)];
  return [
    () => g.mul(dy, rank > 2 ? g.reshape(scale, column) : scale),
    () => g.sum(g.mul(dy, x), axes),
    () => g.sum(dy, axes),
  ];
});
