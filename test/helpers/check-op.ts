/**
 * checkOp: the one helper every kernel test uses. It draws seeded random inputs, runs an op of the op table
 * (src/graph/ops.ts) through its kernel plan on the GPU and through its CPU reference (float64), and
 * compares element by element with |got - want| <= atol + rtol*|want|,
 * failing with the worst element, its index and both values.
 */
import { expect } from 'vitest';
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

/**
 * Expect `got` to match `want` element by element (see compare()); `against` names the other side in the
 * failure message ('reference', 'PyTorch', 'float64').
 */
export function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, against = 'reference'): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const r = compare(got, want, rtol, atol);
  expect(r.ok, `${what}: element ${r.worstIndex} is ${r.got}, ${against} ${r.want} (|error| ${r.maxAbsError})`).toBe(true);
}

/** Run kernel `name` on inputs of the given shapes and check it against its CPU reference. */
export async function checkOp(
  rt: KernelRuntime,
  name: string,
  shapes: Shape[],
  options: CheckOptions = {},
): Promise<Comparison> {
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
  expect(out.shape, `${name} output shape`).toEqual(want.shape);
  const result = compare(got, want.data, options.rtol ?? 1e-5, options.atol ?? 1e-6);
  const where = `${name}(${shapes.map(formatShape).join(', ')}) ${JSON.stringify(options.attrs ?? {})}`;
  expect(
    result.ok,
    `${where}: element ${result.worstIndex} is ${result.got}, reference ${result.want} (|error| ${result.maxAbsError})`,
  ).toBe(true);
  return result;
}
