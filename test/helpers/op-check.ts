/**
 * The core of checkOp, free of vitest so that the browser tests run it inside a page too: draw seeded
 * random inputs, run an op of the op table (src/graph/ops/) through its kernel plan on the GPU and through
 * its CPU reference (float64), and compare element by element with |got - want| <= atol + rtol*|want|.
 * check-op.ts turns the result into vitest expectations.
 */
import { getOp, type OpAttrs } from '../../src/graph/ops/index.js';
import { runPlan } from '../../src/kernels/launch.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import { host, type HostTensor } from '../../src/kernels/reference.js';
import type { KernelRuntime } from '../../src/kernels/runtime.js';
import { formatShape, sizeOf, type Shape } from '../../src/kernels/shape.js';
import { randomValues } from './random.js';

export interface CheckOptions {
  attrs?: OpAttrs;
  rtol?: number;
  atol?: number;
  seed?: number;
  /** Explicit input values (else seeded random in the op's domain). */
  values?: Float32Array[];
}

export interface Comparison {
  maxAbsError: number;
  worstIndex: number;
  got: number;
  want: number;
  ok: boolean;
}

/** One op run against its reference. */
export interface OpCheck {
  /** The op, its input shapes and attrs, for messages. */
  where: string;
  gotShape: readonly number[];
  wantShape: readonly number[];
  comparison: Comparison;
  /** Shapes equal and every element within tolerance. */
  ok: boolean;
  /** What went wrong, or '' when ok. */
  message: string;
}

/** Compare two arrays with |got - want| <= atol + rtol*|want|; NaN matches NaN, inf matches inf. */
export function compare(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): Comparison {
  let worst: Comparison = { maxAbsError: 0, worstIndex: -1, got: 0, want: 0, ok: true };
  let worstExcess = -Infinity;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (w === g) continue;
    const err = Math.abs(g - w);
    const excess = Number.isNaN(err) ? Infinity : err - (atol + rtol * Math.abs(w));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = { maxAbsError: err, worstIndex: i, got: g, want: w, ok: excess <= 0 };
    }
  }
  return worst;
}

/** Run kernel `name` on inputs of the given shapes and compare it with its CPU reference. */
export async function runOpCheck(rt: KernelRuntime, name: string, shapes: Shape[], options: CheckOptions = {}): Promise<OpCheck> {
  const op = getOp(name);
  const seed = options.seed ?? 1234;
  const [lo, hi] = op.domain === 'positive' ? [0.1, 2] : [-2, 2];
  const values = shapes.map((s, i) => options.values?.[i] ?? randomValues(sizeOf(s), seed + 7919 * i, lo, hi));
  const tensors = shapes.map((s, i) => rt.upload(values[i]!, s, 'f32', `in${i}`));
  const hosts: HostTensor[] = shapes.map((s, i) => host(s, values[i]!));
  const want = op.reference(hosts, options.attrs ?? {});
  const plan = op.plan(matmulTarget(rt), tensors.map((t) => ({ shape: t.shape, dtype: t.dtype })), options.attrs ?? {});
  const out = await runPlan(rt, plan, tensors, name);
  const got = await rt.read(out);
  tensors.forEach((t) => t.destroy());
  out.destroy();
  const where = `${name}(${shapes.map(formatShape).join(', ')}) ${JSON.stringify(options.attrs ?? {})}`;
  const shapeOk = out.shape.length === want.shape.length && out.shape.every((d, i) => d === want.shape[i]);
  const comparison = compare(got, want.data, options.rtol ?? 1e-5, options.atol ?? 1e-6);
  const message = !shapeOk
    ? `${where}: output shape ${formatShape(out.shape)}, reference ${formatShape(want.shape)}`
    : comparison.ok
      ? ''
      : `${where}: element ${comparison.worstIndex} is ${comparison.got}, reference ${comparison.want} (|error| ${comparison.maxAbsError})`;
  return { where, gotShape: [...out.shape], wantShape: [...want.shape], comparison, ok: shapeOk && comparison.ok, message };
}
