/**
 * Layout ops (shaders/shape_ops.wgsl): concat of up to 5 tensors along an axis, and pad / slice of tensors
 * of rank <= 4, both one gather (a slice is a pad with negative before-amounts). Any 32-bit dtype.
 */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan, type Slot } from '../launch.js';
import type { HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, normalizeAxes, pack8, sizeOf, stridesOf, type Shape } from '../shape.js';
import type { DType, Tensor } from '../tensor.js';
import { f32Bits, planeLaunches } from './grid.js';

export const MAX_CONCAT_PARTS = 5;
const PAD_RANK = 4;

/** Validate a concat and return the axis (normalised) and the output shape. */
export function concatShape(shapes: readonly Shape[], axis: number): { axis: number; shape: number[] } {
  if (shapes.length < 1 || shapes.length > MAX_CONCAT_PARTS) {
    throw new ShapeError(`concat: takes 1 to ${MAX_CONCAT_PARTS} tensors, got ${shapes.length} (chain concats for more)`);
  }
  const first = shapes[0]!;
  const [a] = normalizeAxes('concat', [axis], first.length);
  shapes.forEach((s, j) => {
    if (s.length !== first.length || s.some((d, i) => i !== a && d !== first[i])) {
      throw new ShapeError(
        `concat: part ${j} ${formatShape(s)} does not match part 0 ${formatShape(first)} on every axis but the concat axis ${a}`,
      );
    }
  });
  const shape = [...first];
  shape[a!] = shapes.reduce((t, s) => t + s[a!]!, 0);
  return { axis: a!, shape };
}

/** The kernel plan of concatenating 1..5 tensors along `axis`. */
export function concatPlan(shapes: readonly Shape[], axis: number, dtype: DType = 'f32'): KernelPlan {
  const { axis: a, shape } = concatShape(shapes, axis);
  const offsets = [0];
  for (const s of shapes) offsets.push(offsets[offsets.length - 1]! + s[a]!);
  const inner = sizeOf(shape.slice(a + 1));
  const outer = sizeOf(shape.slice(0, a));
  const bindings: Record<string, Slot> = { joined: 'out' };
  for (let j = 0; j < MAX_CONCAT_PARTS; j++) bindings[`part${j}`] = j < shapes.length ? `in${j}` : 'in0';
  const launches = planeLaunches(
    { shader: 'shape_ops', entry: 'concat', uniforms: { inner, total: shape[a]!, outer, parts: shapes.length, offsets: pack8(offsets, 0) }, bindings },
    inner,
    shape[a]!,
    outer,
    'outer_base',
  );
  return { out: { shape, dtype }, temps: [], launches };
}

/** out[o] = in[o - before] inside the input, else value: shared by pad (before >= 0) and slice (before <= 0). */
function padSlicePlan(inShape: Shape, outShape: Shape, before: readonly number[], value: number, dtype: DType): KernelPlan {
  const lead = PAD_RANK - inShape.length;
  const din = [...new Array<number>(lead).fill(1), ...inShape];
  const dout = [...new Array<number>(lead).fill(1), ...outShape];
  const b = [...new Array<number>(lead).fill(0), ...before];
  const bits = dtype === 'f32' ? f32Bits(value) : value >>> 0;
  const launches = planeLaunches(
    {
      shader: 'shape_ops',
      entry: 'pad_slice',
      uniforms: {
        out_d1: dout[1]!,
        out_d2: dout[2]!,
        out_d3: dout[3]!,
        in_d0: din[0]!,
        in_d1: din[1]!,
        in_d2: din[2]!,
        in_d3: din[3]!,
        before0: b[0]!,
        before1: b[1]!,
        before2: b[2]!,
        before3: b[3]!,
        value: bits,
        planes: dout[0]! * dout[1]!,
      },
      bindings: { source: 'in0', dest: 'out' },
    },
    dout[3]!,
    dout[2]!,
    dout[0]! * dout[1]!,
  );
  return { out: { shape: [...outShape], dtype }, temps: [], launches };
}

function checkPadRank(op: string, shape: Shape): void {
  if (shape.length > PAD_RANK) throw new ShapeError(`${op}: supports rank <= ${PAD_RANK}, got ${formatShape(shape)}`);
}

/** Validate pad amounts ([before, after] per axis, non-negative integers); returns the output shape. */
export function padShape(shape: Shape, pads: unknown): number[] {
  checkPadRank('pad', shape);
  if (!Array.isArray(pads) || pads.length !== shape.length) {
    throw new ShapeError(`pad: needs one [before, after] pair per axis of ${formatShape(shape)}, got ${JSON.stringify(pads)}`);
  }
  return shape.map((d, i) => {
    const p = pads[i] as unknown;
    if (!Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || (v as number) < 0)) {
      throw new ShapeError(`pad: axis ${i} needs [before, after] with non-negative integers, got ${JSON.stringify(p)}`);
    }
    return d + (p[0] as number) + (p[1] as number);
  });
}

/** The kernel plan of padding with a constant: pads[i] = [before, after] along axis i. */
export function padPlan(shape: Shape, pads: readonly (readonly [number, number])[], value = 0, dtype: DType = 'f32'): KernelPlan {
  const out = padShape(shape, pads);
  return padSlicePlan(
    shape,
    out,
    pads.map((p) => p[0]),
    value,
    dtype,
  );
}

/** Validate a slice: begin[i] and size[i] per axis (size -1: to the end). Returns the resolved sizes. */
export function sliceShape(shape: Shape, begin: unknown, size: unknown): number[] {
  checkPadRank('slice', shape);
  const ok = (v: unknown): v is number[] => Array.isArray(v) && v.length === shape.length && v.every((x) => Number.isInteger(x));
  if (!ok(begin) || !ok(size)) {
    throw new ShapeError(`slice: begin and size need one integer per axis of ${formatShape(shape)}, got ${JSON.stringify({ begin, size })}`);
  }
  return shape.map((d, i) => {
    const s = size[i] === -1 ? d - begin[i]! : size[i]!;
    if (begin[i]! < 0 || s < 0 || begin[i]! + s > d) {
      throw new ShapeError(`slice: axis ${i} of ${formatShape(shape)}: begin ${begin[i]} + size ${size[i]} is outside [0, ${d}]`);
    }
    return s;
  });
}

/** The kernel plan of x[begin : begin + size] along every axis. */
export function slicePlan(shape: Shape, begin: readonly number[], size: readonly number[], dtype: DType = 'f32'): KernelPlan {
  const out = sliceShape(shape, begin, size);
  return padSlicePlan(
    shape,
    out,
    begin.map((b) => -b),
    0,
    dtype,
  );
}

/** Concatenate 1..5 tensors along `axis`. */
export async function concat(rt: KernelRuntime, parts: readonly Tensor[], axis: number): Promise<Tensor> {
  const dtype = parts[0]?.dtype ?? 'f32';
  if (parts.some((p) => p.dtype !== dtype)) throw new ShapeError(`concat: parts must share one dtype, got ${parts.map((p) => p.dtype).join(', ')}`);
  const plan = concatPlan(
    parts.map((p) => p.shape),
    axis,
    dtype,
  );
  return runPlan(rt, plan, parts, 'concat');
}

/** Pad with a constant value. */
export async function pad(rt: KernelRuntime, x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Promise<Tensor> {
  return runPlan(rt, padPlan(x.shape, pads, value, x.dtype), [x], `pad(${x.name})`);
}

/** x[begin : begin + size] along every axis (size -1: to the end). */
export async function slice(rt: KernelRuntime, x: Tensor, begin: readonly number[], size: readonly number[]): Promise<Tensor> {
  return runPlan(rt, slicePlan(x.shape, begin, size, x.dtype), [x], `slice(${x.name})`);
}

/** Copy the box of `from` starting at `fromStart` with shape `box` into `to` at `toStart` (rank-generic). */
function copyBox(from: HostTensor, fromStart: readonly number[], to: HostTensor, toStart: readonly number[], box: Shape): void {
  const fs = stridesOf(from.shape);
  const ts = stridesOf(to.shape);
  const bs = stridesOf(box);
  for (let i = 0; i < sizeOf(box); i++) {
    let f = 0;
    let t = 0;
    for (let d = 0; d < box.length; d++) {
      const c = Math.floor(i / bs[d]!) % box[d]!;
      f += (c + fromStart[d]!) * fs[d]!;
      t += (c + toStart[d]!) * ts[d]!;
    }
    to.data[t] = from.data[f]!;
  }
}

/** CPU reference of concat. */
export function concatReference(parts: readonly HostTensor[], axis: number): HostTensor {
  const { axis: a, shape } = concatShape(
    parts.map((p) => p.shape),
    axis,
  );
  const out: HostTensor = { shape, data: new Float64Array(sizeOf(shape)) };
  let at = 0;
  for (const p of parts) {
    copyBox(p, p.shape.map(() => 0), out, shape.map((_, i) => (i === a ? at : 0)), p.shape);
    at += p.shape[a]!;
  }
  return out;
}

/** CPU reference of pad. */
export function padReference(x: HostTensor, pads: readonly (readonly [number, number])[], value = 0): HostTensor {
  const shape = padShape(x.shape, pads);
  const out: HostTensor = { shape, data: new Float64Array(sizeOf(shape)).fill(value) };
  copyBox(x, x.shape.map(() => 0), out, pads.map((p) => p[0]), x.shape);
  return out;
}

/** CPU reference of slice. */
export function sliceReference(x: HostTensor, begin: readonly number[], size: readonly number[]): HostTensor {
  const shape = sliceShape(x.shape, begin, size);
  const out: HostTensor = { shape, data: new Float64Array(sizeOf(shape)) };
  copyBox(x, begin, out, shape.map(() => 0), shape);
  return out;
}
