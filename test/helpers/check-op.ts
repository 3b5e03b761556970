/**
 * checkOp: the one helper every kernel test uses. It runs an op of the op table (src/graph/ops/) on seeded
 * random inputs through its kernel plan on the GPU and through its CPU reference (float64), and fails with
 * the worst element, its index and both values. The work is in op-check.ts, which the browser tests also
 * run inside a page.
 */
import { expect } from 'vitest';
import type { KernelRuntime } from '../../src/kernels/runtime.js';
import type { Shape } from '../../src/kernels/shape.js';
import { compare, runOpCheck, type CheckOptions, type Comparison } from './op-check.js';

export { compare, type CheckOptions, type Comparison } from './op-check.js';

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
export async function checkOp(rt: KernelRuntime, name: string, shapes: Shape[], options: CheckOptions = {}): Promise<Comparison> {
  const check = await runOpCheck(rt, name, shapes, options);
  expect(check.gotShape, `${check.where} output shape`).toEqual(check.wantShape);
  expect(check.ok, check.message).toBe(true);
  return check.comparison;
}
