/**
 * Dispatch geometry shared by the sampling kernels: a 3-D grid (x over columns, y over rows, z over planes)
 * so no kernel divides integers per element, with z split into launches of at most 65535 planes.
 */
import { ShapeError } from '../../errors.js';
import type { KernelLaunch } from '../launch.js';
import { formatShape, type Shape } from '../shape.js';

const MAX_Z = 65535;

/** Workgroup shape (64 invocations) that wastes few lanes on narrow rows. */
export function workgroupShape(width: number): { WG_X: number; WG_Y: number } {
  const WG_X = width >= 32 ? 32 : width >= 16 ? 16 : 8;
  return { WG_X, WG_Y: 64 / WG_X };
}

/**
 * Launches covering a width x height x planes grid: the base launch repeated per chunk of at most 65535
 * planes, each told where its chunk starts through the uniform named `baseName`.
 */
export function planeLaunches(
  launch: Omit<KernelLaunch, 'workgroups' | 'overrides'>,
  width: number,
  height: number,
  planes: number,
  baseName = 'plane_base',
): KernelLaunch[] {
  const overrides = workgroupShape(width);
  const gx = Math.ceil(width / overrides.WG_X);
  const gy = Math.ceil(height / overrides.WG_Y);
  const launches: KernelLaunch[] = [];
  if (gx === 0 || gy === 0) return launches;
  for (let base = 0; base < planes; base += MAX_Z) {
    launches.push({
      ...launch,
      overrides,
      uniforms: { ...launch.uniforms, [baseName]: base },
      workgroups: [gx, gy, Math.min(MAX_Z, planes - base)],
    });
  }
  return launches;
}

/** Throw unless `shape` is NCHW (rank 4); returns [N, C, H, W]. */
export function expectNCHW(op: string, shape: Shape, what = 'input'): [number, number, number, number] {
  if (shape.length !== 4) throw new ShapeError(`${op}: ${what} must be NCHW (rank 4), got ${formatShape(shape)}`);
  return shape as unknown as [number, number, number, number];
}

/** Read a pair attribute given as a number or [h, w]; throws naming the op unless both are integers >= min. */
export function pairAttr(op: string, name: string, value: unknown, fallback: readonly [number, number], min: number): [number, number] {
  const raw = value === undefined ? fallback : typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(raw) || raw.length !== 2 || raw.some((v) => !Number.isInteger(v) || (v as number) < min)) {
    throw new ShapeError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(value)}`);
  }
  return [raw[0] as number, raw[1] as number];
}

/** The 32 bits of an f32, for uniforms that carry floats in u32 slots. */
export function f32Bits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0]!;
}
