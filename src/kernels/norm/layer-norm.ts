/** Layer norm over the last axis of [..., D] as torch.nn.LayerNorm(D): forward and input gradient (shaders/norm.wgsl). */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan } from '../launch.js';
import type { HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, sizeOf, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { backwardInputRowsPlan, backwardInputRowsReference, DEFAULT_EPS, normalizeRowsPlan, normalizeRowsReference, type NormRows } from './rows.js';

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, as PyTorch). */
  eps?: number;
}

/** The row view of layer norm: one row per position, the last axis normalised. */
export function layerNormView(op: string, x: Shape): NormRows {
  if (x.length < 1) throw new ShapeError(`${op}: x must have at least one axis, got a scalar`);
  const d = x[x.length - 1]!;
  return { rows: d === 0 ? 0 : sizeOf(x) / d, groups: 1, channelsPerGroup: d, spatial: 1 };
}

function expectLastAxisVector(op: string, what: string, shape: Shape, x: Shape): void {
  const d = x[x.length - 1]!;
  if (shape.length !== 1 || shape[0] !== d) {
    throw new ShapeError(`${op}: ${what} must be [${d}] (the last axis of x ${formatShape(x)}), got ${formatShape(shape)}`);
  }
}

/** The kernel plan of layer norm; `affine` is [weight shape, bias shape], or null for no affine. */
export function layerNormPlan(x: Shape, affine: readonly [Shape, Shape] | null, options: LayerNormOptions = {}): KernelPlan {
  const view = layerNormView('layer_norm', x);
  if (affine) {
    expectLastAxisVector('layer_norm', 'weight', affine[0], x);
    expectLastAxisVector('layer_norm', 'bias', affine[1], x);
  }
  return normalizeRowsPlan(x, view, options.eps ?? DEFAULT_EPS, !!affine);
}

/** The kernel plan of layer norm's input gradient from (x, weight, dy), or (x, dy) when weight is null. */
export function layerNormBackwardInputPlan(x: Shape, weight: Shape | null, dy: Shape, options: LayerNormOptions = {}): KernelPlan {
  const op = 'layer_norm_backward_input';
  const view = layerNormView(op, x);
  if (weight) expectLastAxisVector(op, 'weight', weight, x);
  return backwardInputRowsPlan(op, x, dy, view, options.eps ?? DEFAULT_EPS, !!weight);
}

/** Layer norm of x [..., D] over D, with an optional affine (weight and bias [D]). */
export async function layerNorm(
  rt: KernelRuntime,
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  options: LayerNormOptions = {},
): Promise<Tensor> {
  const affine = weight && bias ? ([weight, bias] as const) : null;
  const plan = layerNormPlan(x.shape, affine ? [affine[0].shape, affine[1].shape] : null, options);
  const inputs = affine ? [x, ...affine] : [x];
  for (const t of inputs) expectDType('layer_norm', t, ['f32']);
  return runPlan(rt, plan, inputs, `layer_norm(${x.name})`);
}

/** Gradient of layer norm with respect to x, given dy (statistics recomputed from x). */
export async function layerNormBackwardInput(
  rt: KernelRuntime,
  x: Tensor,
  weight: Tensor | null,
  dy: Tensor,
  options: LayerNormOptions = {},
): Promise<Tensor> {
  const plan = layerNormBackwardInputPlan(x.shape, weight?.shape ?? null, dy.shape, options);
  const inputs = weight ? [x, weight, dy] : [x, dy];
  for (const t of inputs) expectDType('layer_norm_backward_input', t, ['f32']);
  return runPlan(rt, plan, inputs, `layer_norm_backward_input(${x.name})`);
}

/** CPU reference of layerNorm() (float64). */
export function layerNormReference(x: HostTensor, weight: HostTensor | null, bias: HostTensor | null, options: LayerNormOptions = {}): HostTensor {
  const view = layerNormView('layer_norm', x.shape);
  const affine = weight && bias ? ([weight.data, bias.data] as const) : [];
  return { shape: x.shape, data: normalizeRowsReference(view, x.data, options.eps ?? DEFAULT_EPS, ...affine) };
}

/** CPU reference of layerNormBackwardInput() (float64). */
export function layerNormBackwardInputReference(x: HostTensor, weight: HostTensor | null, dy: HostTensor, options: LayerNormOptions = {}): HostTensor {
  const view = layerNormView('layer_norm_backward_input', x.shape);
  return { shape: x.shape, data: backwardInputRowsReference(view, x.data, dy.data, options.eps ?? DEFAULT_EPS, weight?.data) };
}
