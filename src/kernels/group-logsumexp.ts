/**
 * Log-sum-exp over ragged groups of one axis (shaders/group_logsumexp.wgsl): LangSeg's class score
 * S[c] = logsumexp over the descriptors k of class c of s[k], where class c owns k in [groups[c], groups[c+1]).
 * x [..., K, ...] with K on `axis` gives y with C on that axis. The group offsets are static (known when the
 * graph is built) and reach the kernel as plan constants; the backward gets the inverse map k -> c.
 */
import { ShapeError } from '../errors.js';
import { runPlan, type KernelPlan } from './launch.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { formatShape, sizeOf, type Shape } from './shape.js';
import { expectDType, type Tensor } from './tensor.js';

const WORKGROUP_SIZE = 64;

export interface GroupLogSumExpOptions {
  /** C + 1 offsets: groups[0] = 0, groups[C] = K, every group non-empty. */
  groups: ArrayLike<number>;
  /** The grouped axis of x (default 1; negative counts from the end). */
  axis?: number;
}

/** x seen as [outer, K, inner] with the groups checked against K. */
export interface GroupView {
  outer: number;
  entries: number;
  classes: number;
  inner: number;
  axis: number;
  groupPtr: Uint32Array<ArrayBuffer>;
}

/** Check x's shape, the axis and the groups, and view x as [outer, K, inner]. */
export function groupView(op: string, x: Shape, options: GroupLogSumExpOptions): GroupView {
  const rank = x.length;
  const given = options.axis ?? 1;
  if (!Number.isInteger(given) || given < -rank || given >= rank) {
    throw new ShapeError(`${op}: axis ${given} is out of range for x ${formatShape(x)} (rank ${rank}: use -${rank} to ${rank - 1})`);
  }
  const axis = given < 0 ? given + rank : given;
  const entries = x[axis]!;
  const groups = options.groups;
  if (!groups || groups.length < 2) {
    throw new ShapeError(`${op}: groups must have C + 1 >= 2 offsets (at least one class), got ${groups ? groups.length : 'none'}`);
  }
  if (groups[0] !== 0) throw new ShapeError(`${op}: groups[0] must be 0, got ${groups[0]}`);
  for (let c = 0; c + 1 < groups.length; c++) {
    const [lo, hi] = [groups[c]!, groups[c + 1]!];
    if (!Number.isInteger(hi) || hi <= lo) {
      throw new ShapeError(`${op}: every group must be non-empty, but group ${c} is [${lo}, ${hi}) (groups must be strictly increasing integers)`);
    }
  }
  const last = groups[groups.length - 1]!;
  if (last !== entries) {
    throw new ShapeError(`${op}: the groups must end at K = ${entries} (axis ${axis} of x ${formatShape(x)}), but groups[C] = ${last}`);
  }
  return {
    outer: sizeOf(x.slice(0, axis)),
    entries,
    classes: groups.length - 1,
    inner: sizeOf(x.slice(axis + 1)),
    axis,
    groupPtr: Uint32Array.from(groups),
  };
}

function outShape(x: Shape, view: GroupView): number[] {
  return x.map((d, i) => (i === view.axis ? view.classes : d));
}

/** For each k < K, the class that owns it. */
function groupOf(view: GroupView): Uint32Array<ArrayBuffer> {
  const owner = new Uint32Array(view.entries);
  for (let c = 0; c < view.classes; c++) owner.fill(c, view.groupPtr[c]!, view.groupPtr[c + 1]!);
  return owner;
}

function uniforms(view: GroupView): Record<string, number> {
  return { outer: view.outer, entries: view.entries, classes: view.classes, inner: view.inner };
}

/** The kernel plan of y = group_logsumexp(x): C replaces K on the axis. */
export function groupLogSumExpPlan(x: Shape, options: GroupLogSumExpOptions): KernelPlan {
  const view = groupView('group_logsumexp', x, options);
  const out = outShape(x, view);
  return {
    out: { shape: out, dtype: 'f32' },
    temps: [],
    constants: [view.groupPtr],
    launches: [
      {
        shader: 'group_logsumexp',
        entry: 'forward',
        overrides: { WORKGROUP_SIZE },
        uniforms: uniforms(view),
        workgroups: grid1d(Math.ceil(sizeOf(out) / WORKGROUP_SIZE)),
        bindings: { x_in: 'in0', group_ptr: 'const0', y_out: 'out' },
      },
    ],
  };
}

/** The kernel plan of dx = dy * exp(x - y) broadcast from each class to its entries, from (x, y, dy). */
export function groupLogSumExpBackwardPlan(x: Shape, y: Shape, dy: Shape, options: GroupLogSumExpOptions): KernelPlan {
  const op = 'group_logsumexp_backward';
  const view = groupView(op, x, options);
  const want = outShape(x, view);
  for (const [name, shape] of [['y', y], ['dy', dy]] as const) {
    if (formatShape(shape) !== formatShape(want)) {
      throw new ShapeError(`${op}: ${name} must be ${formatShape(want)} (x ${formatShape(x)} with C = ${view.classes} on axis ${view.axis}), got ${formatShape(shape)}`);
    }
  }
  return {
    out: { shape: [...x], dtype: 'f32' },
    temps: [],
    constants: [groupOf(view)],
    launches: [
      {
        shader: 'group_logsumexp',
        entry: 'backward',
        overrides: { WORKGROUP_SIZE },
        uniforms: uniforms(view),
        workgroups: grid1d(Math.ceil(sizeOf(x) / WORKGROUP_SIZE)),
        bindings: { x_in: 'in0', y_in: 'in1', dy_in: 'in2', group_of: 'const0', dx_out: 'out' },
      },
    ],
  };
}

/** group_logsumexp on the GPU. */
export async function groupLogSumExp(rt: KernelRuntime, x: Tensor, options: GroupLogSumExpOptions): Promise<Tensor> {
  expectDType('group_logsumexp', x, ['f32']);
  return runPlan(rt, groupLogSumExpPlan(x.shape, options), [x], `group_logsumexp(${x.name})`);
}

/** The gradient of group_logsumexp with respect to x, given its output y and the output gradient dy. */
export async function groupLogSumExpBackward(rt: KernelRuntime, x: Tensor, y: Tensor, dy: Tensor, options: GroupLogSumExpOptions): Promise<Tensor> {
  for (const t of [x, y, dy]) expectDType('group_logsumexp_backward', t, ['f32']);
  return runPlan(rt, groupLogSumExpBackwardPlan(x.shape, y.shape, dy.shape, options), [x, y, dy], `group_logsumexp_backward(${x.name})`);
}

/** CPU reference of groupLogSumExp() (float64, max-subtracted). */
export function groupLogSumExpReference(x: HostTensor, options: GroupLogSumExpOptions): HostTensor {
  const v = groupView('group_logsumexp', x.shape, options);
  const data = new Float64Array(v.outer * v.classes * v.inner);
  for (let o = 0; o < v.outer; o++) {
    for (let c = 0; c < v.classes; c++) {
      for (let i = 0; i < v.inner; i++) {
        const at = (k: number) => x.data[(o * v.entries + k) * v.inner + i]!;
        let m = -Infinity;
        for (let k = v.groupPtr[c]!; k < v.groupPtr[c + 1]!; k++) m = Math.max(m, at(k));
        const shift = m === -Infinity ? 0 : m;
        let s = 0;
        for (let k = v.groupPtr[c]!; k < v.groupPtr[c + 1]!; k++) s += Math.exp(at(k) - shift);
        data[(o * v.classes + c) * v.inner + i] = shift + Math.log(s);
      }
    }
  }
  return { shape: outShape(x.shape, v), data };
}

/** CPU reference of groupLogSumExpBackward() (float64). */
export function groupLogSumExpBackwardReference(x: HostTensor, y: HostTensor, dy: HostTensor, options: GroupLogSumExpOptions): HostTensor {
  const v = groupView('group_logsumexp_backward', x.shape, options);
  const owner = groupOf(v);
  const data = new Float64Array(x.data.length);
  for (let o = 0; o < v.outer; o++) {
    for (let k = 0; k < v.entries; k++) {
      for (let i = 0; i < v.inner; i++) {
        const at = (o * v.classes + owner[k]!) * v.inner + i;
        const yv = y.data[at]!;
        const flat = (o * v.entries + k) * v.inner + i;
        data[flat] = yv === -Infinity ? 0 : dy.data[at]! * Math.exp(x.data[flat]! - yv);
      }
    }
  }
  return { shape: x.shape, data };
}
