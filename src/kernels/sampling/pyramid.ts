/**
 * Pyramid fusion (shaders/pyramid.wgsl): out = sum over levels l of bilinear_resize(x_l, size) with
 * PyTorch's align_corners=False taps, for 1..5 NCHW levels sharing N and C, in one kernel. The backward
 * is one kernel too: it writes every level's gradient into one [N, C, sum_l Hl*Wl] tensor (a plan has a
 * single output), which the gradient rule slices apart; the slices are cheap copies next to the gather.
 */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan, type Slot } from '../launch.js';
import type { HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, pack8, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { expectNCHW, f32Bits, planeLaunches } from './grid.js';
import { bilinearAccumulate, resizeGeometry, type ResizeGeometry } from './resize.js';

export const MAX_PYRAMID_LEVELS = 5;

/** Per-level geometry of a pyramid fusion to `size`, after checking the levels agree on N and C. */
export function pyramidGeometry(op: string, levels: readonly Shape[], size: unknown): ResizeGeometry[] {
  if (levels.length < 1 || levels.length > MAX_PYRAMID_LEVELS) {
    throw new ShapeError(`${op}: takes 1 to ${MAX_PYRAMID_LEVELS} levels, got ${levels.length}`);
  }
  const [n, c] = expectNCHW(op, levels[0]!, 'level 0');
  levels.forEach((shape, l) => {
    const [nl, cl] = expectNCHW(op, shape, `level ${l}`);
    if (nl !== n || cl !== c) {
      throw new ShapeError(`${op}: level ${l} ${formatShape(shape)} must share N=${n} and C=${c} with level 0 ${formatShape(levels[0]!)}`);
    }
  });
  return levels.map((shape) => resizeGeometry(op, shape, { size: size as [number, number] }));
}

function pyramidUniforms(geoms: ResizeGeometry[]): Record<string, number | number[]> {
  let offset = 0;
  const offsets = geoms.map((g) => {
    const at = offset;
    offset += g.inH * g.inW;
    return at;
  });
  return {
    levels: geoms.length,
    out_h: geoms[0]!.outH,
    out_w: geoms[0]!.outW,
    planes: geoms[0]!.planes,
    grad_plane: offset,
    level_h: pack8(geoms.map((g) => g.inH)),
    level_w: pack8(geoms.map((g) => g.inW)),
    scale_h: pack8(geoms.map((g) => f32Bits(g.scaleH))),
    scale_w: pack8(geoms.map((g) => f32Bits(g.scaleW))),
    level_offset: pack8(offsets, 0),
  };
}

/** Bind the levels to level0..level4, repeating level 0 in unused slots (the kernel reads only `levels`). */
function levelBindings(count: number): Record<string, Slot> {
  const bindings: Record<string, Slot> = {};
  for (let l = 0; l < MAX_PYRAMID_LEVELS; l++) bindings[`level${l}`] = l < count ? `in${l}` : 'in0';
  return bindings;
}

/** The kernel plan of pyramid fusion of 1..5 NCHW levels to `size` [H, W]. */
export function pyramidFusePlan(levels: readonly Shape[], size: unknown): KernelPlan {
  const geoms = pyramidGeometry('pyramid_fuse', levels, size);
  const g = geoms[0]!;
  const launches = planeLaunches(
    { shader: 'pyramid', entry: 'pyramid_forward', uniforms: pyramidUniforms(geoms), bindings: { ...levelBindings(levels.length), output: 'out' } },
    g.outW,
    g.outH,
    g.planes,
  );
  return { out: { shape: [levels[0]![0]!, levels[0]![1]!, g.outH, g.outW], dtype: 'f32' }, temps: [], launches };
}

/** The kernel plan of the gradient of every level: dy [N, C, H, W] -> [N, C, sum_l Hl*Wl], levels in order. */
export function pyramidFuseBackwardPlan(levels: readonly Shape[], dyShape: Shape): KernelPlan {
  const op = 'pyramid_fuse_backward';
  const [n, c, h, w] = expectNCHW(op, dyShape, 'dy');
  const geoms = pyramidGeometry(op, levels, [h, w]);
  if (n !== levels[0]![0] || c !== levels[0]![1]) {
    throw new ShapeError(`${op}: dy ${formatShape(dyShape)} must share N and C with level 0 ${formatShape(levels[0]!)}`);
  }
  const uniforms = pyramidUniforms(geoms);
  const bindings: Record<string, Slot> = { level0: 'in0', output: 'out' };
  const launches = planeLaunches(
    { shader: 'pyramid', entry: 'pyramid_backward', uniforms, bindings },
    Math.max(...geoms.map((g) => g.inW)),
    Math.max(...geoms.map((g) => g.inH)),
    geoms.length * n * c,
  );
  return { out: { shape: [n, c, uniforms.grad_plane as number], dtype: 'f32' }, temps: [], launches };
}

/** Pyramid fusion: the sum of every level bilinearly resized to `size` [H, W]. */
export async function pyramidFuse(rt: KernelRuntime, levels: readonly Tensor[], size: readonly [number, number]): Promise<Tensor> {
  const plan = pyramidFusePlan(
    levels.map((t) => t.shape),
    size,
  );
  levels.forEach((t) => expectDType('pyramid_fuse', t, ['f32']));
  return runPlan(rt, plan, levels, 'pyramid_fuse');
}

/** CPU reference of pyramidFuse. */
export function pyramidFuseReference(levels: readonly HostTensor[], size: unknown): HostTensor {
  const geoms = pyramidGeometry('pyramid_fuse', levels.map((t) => t.shape), size);
  const g0 = geoms[0]!;
  const data = new Float64Array(g0.planes * g0.outH * g0.outW);
  geoms.forEach((g, l) => bilinearAccumulate(levels[l]!.data, data, g, false));
  return { shape: [levels[0]!.shape[0]!, levels[0]!.shape[1]!, g0.outH, g0.outW], data };
}

/** CPU reference of pyramidFuseBackwardPlan's output. */
export function pyramidFuseBackwardReference(levels: readonly Shape[], dy: HostTensor): HostTensor {
  const geoms = pyramidGeometry('pyramid_fuse_backward', levels, [dy.shape[2], dy.shape[3]]);
  const stride = geoms.reduce((s, g) => s + g.inH * g.inW, 0);
  const data = new Float64Array(geoms[0]!.planes * stride);
  let offset = 0;
  for (const g of geoms) {
    bilinearAccumulate(dy.data, data, g, true, stride, offset);
    offset += g.inH * g.inW;
  }
  return { shape: [dy.shape[0]!, dy.shape[1]!, stride], data };
}
