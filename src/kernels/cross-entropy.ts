/**
 * Pixel cross-entropy with an ignore label (shaders/cross_entropy.wgsl), as
 * torch.nn.functional.cross_entropy(logits, labels.long(), ignore_index=ignore) with reduction 'mean':
 * logits [B, C, ...spatial], labels [B, ...spatial] (f32 class ids) -> [1], the mean over pixels whose
 * label is not `ignore` of logsumexp_c(logits) - logits[label]. Unlike PyTorch (0/0 = NaN) it is 0 when no
 * pixel is valid, so a batch that happens to be all ignored trains nothing instead of poisoning the weights.
 * The backward, dlogits = dy * (softmax - onehot) / count (0 at ignored pixels), recounts the valid pixels
 * itself so that it needs only (logits, labels, dy).
 *
 * With `weights` (one per class, as PyTorch's `weight` argument) a valid pixel of class c counts weights[c]
 * times: the loss is sum of w[y] * loss over sum of w[y], and the gradient scales likewise. The weights are
 * static data of the plan (uploaded once), not a graph input.
 *
 * Labels outside [0, C) other than `ignore` are bad data: the kernels clamp them (truncate, then clamp to
 * [0, C)) so no load leaves the pixel's logits, and checkLabels() reports them on the host before a run.
 */
import { ShapeError } from '../errors.js';
import { runPlan, type KernelLaunch, type KernelPlan } from './launch.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { formatShape, sizeOf, type Shape } from './shape.js';
import { expectDType, type Tensor } from './tensor.js';

const WORKGROUP_SIZE = 64;
/** Workgroups of the first reduction stage: enough to fill a GPU, few enough for one workgroup to finish. */
const MAX_PARTIALS = 256;
export const DEFAULT_IGNORE_LABEL = 255;

export interface CrossEntropyOptions {
  /** Label of pixels that count for nothing (default 255). */
  ignore?: number;
  /** One positive weight per class (PyTorch's `weight`); omitted: every valid pixel counts 1. */
  weights?: readonly number[];
}

/** logits seen as [B, C, S] and labels as [B, S]. */
interface CrossEntropyView {
  batch: number;
  classes: number;
  spatial: number;
  ignore: number;
  weights: Float32Array<ArrayBuffer> | null;
}

function ignoreOf(op: string, options: CrossEntropyOptions): number {
  const ignore = options.ignore ?? DEFAULT_IGNORE_LABEL;
  if (!Number.isInteger(ignore)) throw new ShapeError(`${op}: ignore must be an integer label, got ${ignore}`);
  return ignore;
}

/** Check that labels are [B, ...spatial] for logits [B, C, ...spatial], and view both. */
function crossEntropyView(op: string, logits: Shape, labels: Shape, options: CrossEntropyOptions): CrossEntropyView {
  if (logits.length < 2) throw new ShapeError(`${op}: logits must be [B, C, ...spatial], got ${formatShape(logits)}`);
  const classes = logits[1]!;
  if (classes < 1) throw new ShapeError(`${op}: logits ${formatShape(logits)} have no classes (axis 1 must be at least 1)`);
  const want = [logits[0]!, ...logits.slice(2)];
  if (formatShape(labels) !== formatShape(want)) {
    throw new ShapeError(`${op}: labels must be ${formatShape(want)} (logits ${formatShape(logits)} without the class axis), got ${formatShape(labels)}`);
  }
  return { batch: logits[0]!, classes, spatial: sizeOf(logits.slice(2)), ignore: ignoreOf(op, options), weights: weightsOf(op, options, classes) };
}

/** The class weights as f32 (checked: one finite, non-negative value per class), or null. */
function weightsOf(op: string, options: CrossEntropyOptions, classes: number): Float32Array<ArrayBuffer> | null {
  const w = options.weights;
  if (w === undefined) return null;
  if (w.length !== classes) throw new ShapeError(`${op}: weights must have one value per class (${classes}), got ${w.length}`);
  const bad = Array.from(w).findIndex((v) => !(Number.isFinite(v) && v >= 0));
  if (bad >= 0) throw new ShapeError(`${op}: weights[${bad}] is ${w[bad]}; class weights must be finite and >= 0`);
  return Float32Array.from(w);
}

/** Overrides and extra binding of the entries that weigh pixels; the weights travel as the plan's const0. */
function weighting(view: CrossEntropyView): { overrides: { WEIGHTED: boolean }; bindings: { class_weights: 'const0' | 'in0' } } {
  // Unweighted entries never read class_weights, but a declared binding still needs a buffer: the logits.
  return { overrides: { WEIGHTED: view.weights !== null }, bindings: { class_weights: view.weights ? 'const0' : 'in0' } };
}

function constantsOf(view: CrossEntropyView): Pick<KernelPlan, 'constants'> {
  return view.weights ? { constants: [view.weights] } : {};
}

function partialsOf(view: CrossEntropyView): number {
  return Math.max(1, Math.min(MAX_PARTIALS, Math.ceil((view.batch * view.spatial) / WORKGROUP_SIZE)));
}

function uniforms(view: CrossEntropyView): Record<string, number> {
  return { batch: view.batch, classes: view.classes, spatial: view.spatial, partials: partialsOf(view), ignore_label: view.ignore };
}

/** The first stage: per-workgroup (loss sum, valid count) pairs into tmp0. */
function partialsLaunch(view: CrossEntropyView, countOnly: boolean): KernelLaunch {
  const w = weighting(view);
  return {
    shader: 'cross_entropy',
    entry: 'loss_partials',
    overrides: { WORKGROUP_SIZE, COUNT_ONLY: countOnly, ...w.overrides },
    uniforms: uniforms(view),
    workgroups: [partialsOf(view), 1, 1],
    bindings: { logits_in: 'in0', labels_in: 'in1', partial_sums: 'tmp0', ...w.bindings },
  };
}

/** The kernel plan of cross_entropy(logits, labels) -> [1]. */
export function crossEntropyPlan(logits: Shape, labels: Shape, options: CrossEntropyOptions = {}): KernelPlan {
  const view = crossEntropyView('cross_entropy', logits, labels, options);
  return {
    out: { shape: [1], dtype: 'f32' },
    temps: [{ shape: [2 * partialsOf(view)], dtype: 'f32' }],
    ...constantsOf(view),
    launches: [
      partialsLaunch(view, false),
      {
        shader: 'cross_entropy',
        entry: 'finish_loss',
        overrides: { WORKGROUP_SIZE },
        uniforms: uniforms(view),
        workgroups: [1, 1, 1],
        bindings: { partial_in: 'tmp0', loss_out: 'out' },
      },
    ],
  };
}

/** The kernel plan of the logits' gradient from (logits, labels, dy [1]). */
export function crossEntropyBackwardPlan(logits: Shape, labels: Shape, dy: Shape, options: CrossEntropyOptions = {}): KernelPlan {
  const op = 'cross_entropy_backward';
  const view = crossEntropyView(op, logits, labels, options);
  if (sizeOf(dy) !== 1) throw new ShapeError(`${op}: dy must hold the one loss gradient ([1]), got ${formatShape(dy)}`);
  return {
    out: { shape: [...logits], dtype: 'f32' },
    temps: [
      { shape: [2 * partialsOf(view)], dtype: 'f32' },
      { shape: [1], dtype: 'f32' },
    ],
    ...constantsOf(view),
    launches: [
      partialsLaunch(view, true),
      {
        shader: 'cross_entropy',
        entry: 'finish_scale',
        overrides: { WORKGROUP_SIZE },
        uniforms: uniforms(view),
        workgroups: [1, 1, 1],
        bindings: { partial_in: 'tmp0', dy_in: 'in2', grad_scale: 'tmp1' },
      },
      {
        shader: 'cross_entropy',
        entry: 'backward',
        overrides: { WORKGROUP_SIZE, ...weighting(view).overrides },
        uniforms: uniforms(view),
        workgroups: grid1d(Math.ceil((view.batch * view.spatial) / WORKGROUP_SIZE)),
        bindings: { logits_in: 'in0', labels_in: 'in1', scale_in: 'tmp1', dlogits_out: 'out', ...weighting(view).bindings },
      },
    ],
  };
}

/** cross_entropy on the GPU: the mean loss over valid pixels, [1]. */
export async function crossEntropy(rt: KernelRuntime, logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Promise<Tensor> {
  for (const t of [logits, labels]) expectDType('cross_entropy', t, ['f32']);
  return runPlan(rt, crossEntropyPlan(logits.shape, labels.shape, options), [logits, labels], `cross_entropy(${logits.name})`);
}

/** The gradient of cross_entropy with respect to the logits, given the loss gradient dy [1]. */
export async function crossEntropyBackward(rt: KernelRuntime, logits: Tensor, labels: Tensor, dy: Tensor, options: CrossEntropyOptions = {}): Promise<Tensor> {
  for (const t of [logits, labels, dy]) expectDType('cross_entropy_backward', t, ['f32']);
  return runPlan(rt, crossEntropyBackwardPlan(logits.shape, labels.shape, dy.shape, options), [logits, labels, dy], `cross_entropy_backward(${logits.name})`);
}

/** The class a label picks in the kernels: truncated, then clamped into [0, C). */
function targetClass(label: number, classes: number): number {
  const c = Number.isNaN(label) ? 0 : Math.trunc(label);
  return Math.min(Math.max(c, 0), classes - 1);
}

/** Walk the valid pixels: f(offset of the pixel's class-0 logit, its target class, its weight). Returns the sum of weights. */
function forEachValid(view: CrossEntropyView, labels: ArrayLike<number>, f: (base: number, target: number, weight: number) => void): number {
  let count = 0;
  for (let b = 0; b < view.batch; b++) {
    for (let s = 0; s < view.spatial; s++) {
      const label = labels[b * view.spatial + s]!;
      if (label === view.ignore) continue;
      const target = targetClass(label, view.classes);
      const weight = view.weights ? view.weights[target]! : 1;
      count += weight;
      f(b * view.classes * view.spatial + s, target, weight);
    }
  }
  return count;
}

/** log-sum-exp over the classes of one pixel, and its shift (the max logit), in float64. */
function pixelLogSumExp(view: CrossEntropyView, x: ArrayLike<number>, base: number): { m: number; lse: number } {
  let m = -Infinity;
  for (let c = 0; c < view.classes; c++) m = Math.max(m, x[base + c * view.spatial]!);
  let s = 0;
  for (let c = 0; c < view.classes; c++) s += Math.exp(x[base + c * view.spatial]! - m);
  return { m, lse: m + Math.log(s) };
}

/** CPU reference of crossEntropy() (float64). */
export function crossEntropyReference(logits: HostTensor, labels: HostTensor, options: CrossEntropyOptions = {}): HostTensor {
  const view = crossEntropyView('cross_entropy', logits.shape, labels.shape, options);
  let total = 0;
  const count = forEachValid(view, labels.data, (base, target, weight) => {
    total += weight * (pixelLogSumExp(view, logits.data, base).lse - logits.data[base + target * view.spatial]!);
  });
  return { shape: [1], data: Float64Array.of(count > 0 ? total / count : 0) };
}

/** CPU reference of crossEntropyBackward() (float64). */
export function crossEntropyBackwardReference(logits: HostTensor, labels: HostTensor, dy: HostTensor, options: CrossEntropyOptions = {}): HostTensor {
  const view = crossEntropyView('cross_entropy_backward', logits.shape, labels.shape, options);
  const count = forEachValid(view, labels.data, () => {});
  const data = new Float64Array(logits.data.length);
  if (!(count > 0)) return { shape: logits.shape, data };
  const k = dy.data[0]! / count;
  forEachValid(view, labels.data, (base, target, weight) => {
    const { lse } = pixelLogSumExp(view, logits.data, base);
    for (let c = 0; c < view.classes; c++) {
      const at = base + c * view.spatial;
      data[at] = k * weight * (Math.exp(logits.data[at]! - lse) - (c === target ? 1 : 0));
    }
  });
  return { shape: logits.shape, data };
}

/**
 * Check label values on the host before they are fed: each must be an integer class id in [0, classes)
 * or `ignore`. Throws a ShapeError naming the first bad value, its index (as [b, y, x, ...] when `shape`
 * is given) and the valid range. The kernels clamp bad labels rather than read out of bounds, but a
 * clamped label trains the wrong class silently; this says so instead.
 */
export function checkLabels(labels: ArrayLike<number>, classes: number, ignore = DEFAULT_IGNORE_LABEL, shape?: Shape): void {
  if (!Number.isInteger(classes) || classes < 1) throw new ShapeError(`labels: classes must be a positive integer, got ${classes}`);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v === ignore || (Number.isInteger(v) && v >= 0 && v < classes)) continue;
    const where = shape ? `[${unravel(i, shape).join(', ')}]` : `${i}`;
    throw new ShapeError(
      `labels: value ${v} at index ${where} is not a class id; use integers 0 to ${classes - 1} (${classes} classes) or ${ignore} for pixels to ignore`,
    );
  }
}

/** The multi-index of flat position i in a row-major array of this shape. */
function unravel(i: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return index;
}
