/**
 * The conv ops: conv2d (+ bias + relu epilogue), its backward-data and backward-weight kernels as ops of
 * their own, and conv_transpose2d; with the gradient rules of the two differentiable ones.
 * Attributes: stride, padding ([ph, pw] or [top, bottom, left, right]), dilation, groups, activation
 * ('none' | 'relu'); conv_transpose2d also outputPadding; the backward ops inputShape / kernelSize.
 */
import { ShapeError } from '../../errors.js';
import { conv2dBackwardDataPlan, conv2dBackwardDataReference } from '../../kernels/conv/backward_data.js';
import { conv2dBackwardWeightPlan, conv2dBackwardWeightReference } from '../../kernels/conv/backward_weight.js';
import { conv2dPlan, conv2dReference } from '../../kernels/conv/forward.js';
import { attrsOf } from '../../kernels/conv/geometry.js';
import type { ConvAlgorithm } from '../../kernels/conv/select.js';
import { convTranspose2dPlan, convTranspose2dReference, type ConvTranspose2dOptions } from '../../kernels/conv/transpose.js';
import type { Shape } from '../../kernels/shape.js';
import { registerGradient } from '../gradients.js';
import type { Graph, GraphNode, SymbolicTensor } from '../graph.js';
import { defineOp, type OpAttrs } from '../op-registry.js';

/** The epilogue activations whose gradient the rules below know (from the output alone). */
function activationOf(op: string, a: OpAttrs): 'none' | 'relu' {
  const act = a.activation ?? 'none';
  if (act !== 'none' && act !== 'relu') throw new ShapeError(`${op}: activation must be 'none' or 'relu', got '${String(act)}'`);
  return act;
}

function transposeAttrs(a: OpAttrs): ConvTranspose2dOptions {
  return { ...attrsOf(a), outputPadding: a.outputPadding as ConvTranspose2dOptions['outputPadding'], activation: activationOf('conv_transpose2d', a) };
}

defineOp(
  'conv2d',
  [2, 3],
  (target, [x, w, bias], a) =>
    conv2dPlan(target, x!.shape, w!.shape, {
      ...attrsOf(a),
      activation: activationOf('conv2d', a),
      biasShape: bias?.shape,
      // Pin a kernel (tests, benchmarks); select.ts falls back if it cannot run here.
      algorithm: a.algorithm as ConvAlgorithm | undefined,
    }),
  ([x, w, bias], a) => conv2dReference(x!, w!, { ...attrsOf(a), activation: activationOf('conv2d', a), bias }),
);

defineOp(
  'conv2d_backward_data',
  2,
  (target, [dy, w], a) => conv2dBackwardDataPlan(dy!.shape, w!.shape, a.inputShape as Shape, attrsOf(a), target),
  ([dy, w], a) => conv2dBackwardDataReference(dy!, w!, a.inputShape as Shape, attrsOf(a)),
);

defineOp(
  'conv2d_backward_weight',
  2,
  (target, [x, dy], a) => conv2dBackwardWeightPlan(x!.shape, dy!.shape, { ...attrsOf(a), kernelSize: a.kernelSize as number[] }, target),
  ([x, dy], a) => conv2dBackwardWeightReference(x!, dy!, { ...attrsOf(a), kernelSize: a.kernelSize as number[] }),
);

defineOp(
  'conv_transpose2d',
  [2, 3],
  (target, [x, w, bias], a) => convTranspose2dPlan(x!.shape, w!.shape, { ...transposeAttrs(a), biasShape: bias?.shape }, target),
  ([x, w, bias], a) => convTranspose2dReference(x!, w!, { ...transposeAttrs(a), bias }),
);

/** The geometry attributes a conv's gradient ops share with it. */
function geometryAttrs(a: OpAttrs): OpAttrs {
  return { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups };
}

/** dy before a fused relu: zero where the output was clamped (as matmul's rule does). */
function preActivation(g: Graph, n: GraphNode, dy: SymbolicTensor): () => SymbolicTensor {
  let gz: SymbolicTensor | undefined;
  return () => (gz ??= (n.attrs.activation ?? 'none') === 'relu' ? g.mul(dy, g.unary('step', n.output)) : dy);
}

// y = act(conv2d(x, w) + b): dx = backward_data(gz, w), dw = backward_weight(x, gz), db = sum_{n,h,w} gz.
registerGradient('conv2d', (g, n, dy) => {
  const [x, w, bias] = n.inputs as [SymbolicTensor, SymbolicTensor, SymbolicTensor | undefined];
  const gz = preActivation(g, n, dy);
  const geo = geometryAttrs(n.attrs);
  return [
    () => g.apply('conv2d_backward_data', [gz(), w], { ...geo, inputShape: [...x.shape] }),
    () => g.apply('conv2d_backward_weight', [x, gz()], { ...geo, kernelSize: w.shape.slice(2) }),
    ...(bias ? [() => g.sum(gz(), [0, 2, 3])] : []),
  ];
});

// y = act(conv_transpose2d(x, w) + b) is backward_data(x, w) of the conv y -> x, so: dx = conv2d(gz, w),
// dw = backward_weight with gz as that conv's input and x as its output gradient, db = sum gz.
registerGradient('conv_transpose2d', (g, n, dy) => {
  const [x, w, bias] = n.inputs as [SymbolicTensor, SymbolicTensor, SymbolicTensor | undefined];
  const gz = preActivation(g, n, dy);
  const geo = geometryAttrs(n.attrs);
  return [
    () => g.apply('conv2d', [gz(), w], geo),
    () => g.apply('conv2d_backward_weight', [gz(), x], { ...geo, kernelSize: w.shape.slice(2) }),
    ...(bias ? [() => g.sum(gz(), [0, 2, 3])] : []),
  ];
});
