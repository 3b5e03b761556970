/**
 * The row view shared by group norm and layer norm (shaders/norm.wgsl): `rows` contiguous rows of
 * channelsPerGroup * spatial elements, each normalised on its own, with a per-channel affine. Plans and
 * float64 references of both ops are built from it.
 */
import { ShapeError } from '../../errors.js';
import { singleLaunch, type KernelLaunch, type KernelPlan, type Slot } from '../launch.js';
import { grid1d } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';

export interface NormRows {
  rows: number;
  /** Rows cycle through the groups: row r is group r % groups (1 for layer norm). */
  groups: number;
  channelsPerGroup: number;
  /** Elements per channel within a row (1 for layer norm). */
  spatial: number;
}

export const DEFAULT_EPS = 1e-5;

// 8 is one SIMD row of lavapipe; measured there, 32 elements per invocation beat 4 and 16 (barriers and
// workgroup starts cost more than idle lanes), e.g. layer norm 4096x256: 5-6 ms at 8 lanes vs 7-12 at 16.
const MIN_WORKGROUP = 8;
const MAX_WORKGROUP = 256;

/** Workgroup size for a row length: about 32 elements per invocation, a power of two in [8, 256]. */
export function normWorkgroupSize(len: number): number {
  let size = MIN_WORKGROUP;
  while (size < MAX_WORKGROUP && size * 32 < len) size *= 2;
  return size;
}

export type NormEntry = 'normalize_affine' | 'normalize_plain' | 'backward_input_affine' | 'backward_input_plain';

/**
 * The vec4 twin of an entry point for this view, if it has one and the view fits it: the channel loop
 * of group norm over planes of a multiple of 4 elements, or layer norm (spatial 1) over rows of a
 * multiple of 4 (weight and bias then read as vec4 too).
 */
function vec4Twin(entry: NormEntry, view: NormRows): string | null {
  if (entry !== 'normalize_affine') return null;
  const len4 = (view.channelsPerGroup * view.spatial) / 4;
  if (view.spatial === 1 && view.groups === 1 && view.channelsPerGroup % 4 === 0) return 'normalize_affine_rows_vec4';
  if (view.spatial % 4 === 0 && view.spatial / 4 >= normWorkgroupSize(len4)) return 'normalize_affine_vec4';
  return null;
}

/** One launch of a row entry point of shaders/norm.wgsl: one workgroup per row. */
export function normRowsLaunch(entry: NormEntry, view: NormRows, eps: number, bindings: Record<string, Slot>): KernelLaunch {
  const len = view.channelsPerGroup * view.spatial;
  const uniforms = { rows: view.rows, groups: view.groups, channels_per_group: view.channelsPerGroup, spatial: view.spatial, eps };
  const twin = vec4Twin(entry, view);
  if (twin) {
    // The vec4 views of the buffers are bindings of their own (input4, ...; bias4 and weight4 only for rows).
    const rows = twin === 'normalize_affine_rows_vec4';
    const vec4Bindings: Record<string, Slot> = {};
    for (const [name, slot] of Object.entries(bindings)) {
      vec4Bindings[name === 'input' || name === 'output' || rows ? `${name}4` : name] = slot;
    }
    return {
      shader: 'norm',
      entry: twin,
      overrides: { WORKGROUP_SIZE: normWorkgroupSize(len / 4) },
      uniforms,
      workgroups: grid1d(view.rows),
      bindings: vec4Bindings,
    };
  }
  const workgroupSize = normWorkgroupSize(len);
  // See INDEX_MODE in the shader: how an invocation finds its channel without dividing where it can.
  const indexMode = view.spatial === 1 ? 0 : view.spatial >= workgroupSize ? 1 : 2;
  return {
    shader: 'norm',
    entry,
    overrides: { WORKGROUP_SIZE: workgroupSize, INDEX_MODE: indexMode },
    uniforms,
    workgroups: grid1d(view.rows),
    bindings,
  };
}

/** Float64 mean and 1/sqrt(var + eps) of one row, two-pass (the reference needs no tricks). */
function rowStats(x: Float64Array, base: number, len: number, eps: number): { mean: number; rstd: number } {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += x[base + i]!;
  const mean = sum / len;
  let sq = 0;
  for (let i = 0; i < len; i++) sq += (x[base + i]! - mean) ** 2;
  return { mean, rstd: 1 / Math.sqrt(sq / len + eps) };
}

function channelOf(view: NormRows, row: number, i: number): number {
  return (row % view.groups) * view.channelsPerGroup + Math.floor(i / view.spatial);
}

/** Float64 reference of the forward: (x - mean) * rstd per row, then * weight[c] + bias[c] if given. */
export function normalizeRowsReference(
  view: NormRows,
  x: Float64Array,
  eps: number,
  weight?: Float64Array,
  bias?: Float64Array,
): Float64Array {
  const len = view.channelsPerGroup * view.spatial;
  const out = new Float64Array(x.length);
  for (let r = 0; r < view.rows; r++) {
    const base = r * len;
    const { mean, rstd } = rowStats(x, base, len, eps);
    for (let i = 0; i < len; i++) {
      const c = channelOf(view, r, i);
      const xhat = (x[base + i]! - mean) * rstd;
      out[base + i] = weight && bias ? xhat * weight[c]! + bias[c]! : xhat;
    }
  }
  return out;
}

/** Float64 reference of the input gradient: rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * weight[c]. */
export function backwardInputRowsReference(
  view: NormRows,
  x: Float64Array,
  dy: Float64Array,
  eps: number,
  weight?: Float64Array,
): Float64Array {
  const len = view.channelsPerGroup * view.spatial;
  const out = new Float64Array(x.length);
  for (let r = 0; r < view.rows; r++) {
    const base = r * len;
    const { mean, rstd } = rowStats(x, base, len, eps);
    const g = (i: number) => dy[base + i]! * (weight ? weight[channelOf(view, r, i)]! : 1);
    let sumG = 0;
    let sumGx = 0;
    for (let i = 0; i < len; i++) {
      sumG += g(i);
      sumGx += g(i) * (x[base + i]! - mean) * rstd;
    }
    for (let i = 0; i < len; i++) {
      const xhat = (x[base + i]! - mean) * rstd;
      out[base + i] = rstd * (g(i) - sumG / len - (xhat * sumGx) / len);
    }
  }
  return out;
}

/** The plan of normalising x [..] by rows of `view`, with the affine (in1 = weight, in2 = bias) or without. */
export function normalizeRowsPlan(x: Shape, view: NormRows, eps: number, affine: boolean): KernelPlan {
  const launch = affine
    ? normRowsLaunch('normalize_affine', view, eps, { input: 'in0', weight: 'in1', bias: 'in2', output: 'out' })
    : normRowsLaunch('normalize_plain', view, eps, { input: 'in0', output: 'out' });
  return singleLaunch({ shape: x, dtype: 'f32' }, launch);
}

/** The plan of the input gradient from (x, weight, dy), or (x, dy) without a weight; dy must be x's shape. */
export function backwardInputRowsPlan(op: string, x: Shape, dy: Shape, view: NormRows, eps: number, hasWeight: boolean): KernelPlan {
  if (formatShape(dy) !== formatShape(x)) throw new ShapeError(`${op}: dy ${formatShape(dy)} must have the shape of x ${formatShape(x)}`);
  const launch = hasWeight
    ? normRowsLaunch('backward_input_affine', view, eps, { input: 'in0', weight: 'in1', grad_out: 'in2', output: 'out' })
    : normRowsLaunch('backward_input_plain', view, eps, { input: 'in0', grad_out: 'in1', output: 'out' });
  return singleLaunch({ shape: x, dtype: 'f32' }, launch);
}
