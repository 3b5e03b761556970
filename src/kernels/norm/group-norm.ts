/** Group norm over [N, C, *] as torch.nn.functional.group_norm: forward and input gradient (shaders/norm.wgsl). */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan } from '../launch.js';
import type { HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, sizeOf, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { backwardInputRowsPlan, backwardInputRowsReference, DEFAULT_EPS, normalizeRowsPlan, normalizeRowsReference, type NormRows } from './rows.js';

export interface GroupNormOptions {
  groups: number;
  /** Added to the variance (default 1e-5, as PyTorch). */
  eps?: number;
}

/** The row view of group norm: one row per (sample, group); checks the shape and the group count. */
export function groupNormView(op: string, x: Shape, groups: number): NormRows {
  if (x.length < 2) throw new ShapeError(`${op}: x must be [N, C, *], got ${formatShape(x)}`);
  const channels = x[1]!;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new ShapeError(`${op}: groups must be a positive divisor of the ${channels} channels of x ${formatShape(x)}, got ${groups}`);
  }
  return { rows: x[0]! * groups, groups, channelsPerGroup: channels / groups, spatial: sizeOf(x.slice(2)) };
}

/** Check that a per-channel parameter (weight, bias) is [C]. */
export function expectChannelVector(op: string, what: string, shape: Shape, channels: number, x: Shape): void {
  if (shape.length !== 1 || shape[0] !== channels) {
    throw new ShapeError(`${op}: ${what} must be [${channels}] (the channels of x ${formatShape(x)}), got ${formatShape(shape)}`);
  }
}

/** The kernel plan of group norm; `affine` is [weight shape, bias shape], or null for no affine. */
export function groupNormPlan(x: Shape, affine: readonly [Shape, Shape] | null, options: GroupNormOptions): KernelPlan {
  const view = groupNormView('group_norm', x, options.groups);
  if (affine) {
    expectChannelVector('group_norm', 'weight', affine[0], x[1]!, x);
    expectChannelVector('group_norm', 'bias', affine[1], x[1]!, x);
  }
  return normalizeRowsPlan(x, view, options.eps ?? DEFAULT_EPS, !!affine);
}

/** The kernel plan of group norm's input gradient from (x, weight, dy), or (x, dy) when weight is null. */
export function groupNormBackwardInputPlan(x: Shape, weight: Shape | null, dy: Shape, options: GroupNormOptions): KernelPlan {
  const op = 'group_norm_backward_input';
  const view = groupNormView(op, x, options.groups);
  if (weight) expectChannelVector(op, 'weight', weight, x[1]!, x);
  return backwardInputRowsPlan(op, x, dy, view, options.eps ?? DEFAULT_EPS, !!weight);
}

/** Group norm of x [N, C, *], with an optional per-channel affine (weight and bias [C]). */
export async function groupNorm(
  rt: KernelRuntime,
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  options: GroupNormOptions,
): Promise<Tensor> {
  const affine = weight && bias ? ([weight, bias] as const) : null;
  const plan = groupNormPlan(x.shape, affine ? [affine[0].shape, affine[1].shape] : null, options);
  const inputs = affine ? [x, ...affine] : [x];
  for (const t of inputs) expectDType('group_norm', t, ['f32']);
  return runPlan(rt, plan, inputs, `group_norm(${x.name})`);
}

/** Gradient of group norm with respect to x, given dy (statistics recomputed from x). */
export async function groupNormBackwardInput(
  rt: KernelRuntime,
  x: Tensor,
  weight: Tensor | null,
  dy: Tensor,
  options: GroupNormOptions,
): Promise<Tensor> {
  const plan = groupNormBackwardInputPlan(x.shape, weight?.shape ?? null, dy.shape, options);
  const inputs = weight ? [x, weight, dy] : [x, dy];
  for (const t of inputs) expectDType('group_norm_backward_input', t, ['f32']);
  return runPlan(rt, plan, inputs, `group_norm_backward_input(${x.name})`);
}

/** CPU reference of groupNorm() (float64). */
export function groupNormReference(x: HostTensor, weight: HostTensor | null, bias: HostTensor | null, options: GroupNormOptions): HostTensor {
  const view = groupNormView('group_norm', x.shape, options.groups);
  const affine = weight && bias ? ([weight.data, bias.data] as const) : [];
  return { shape: x.shape, data: normalizeRowsReference(view, x.data, options.eps ?? DEFAULT_EPS, ...affine) };
}

/** CPU reference of groupNormBackwardInput() (float64). */
export function groupNormBackwardInputReference(x: HostTensor, weight: HostTensor | null, dy: HostTensor, options: GroupNormOptions): HostTensor {
  const view = groupNormView('group_norm_backward_input', x.shape, options.groups);
  return { shape: x.shape, data: backwardInputRowsReference(view, x.data, dy.data, options.eps ?? DEFAULT_EPS, weight?.data) };
}
