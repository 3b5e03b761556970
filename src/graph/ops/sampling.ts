/**
 * The sampling ops: max / average / global-average pooling, bilinear and nearest resize, pyramid fusion,
 * and concat / slice / pad; with their gradient rules. Backward kernels are ops of their own
 * (max_pool2d_backward, avg_pool2d_backward, resize_bilinear_backward, pyramid_fuse_backward) and have
 * no gradient. Attributes:
 *   pooling: kernel, stride (default kernel), padding (default 0), countIncludePad (avg, default true);
 *   resize: size [H, W] or scale (factor); pyramid_fuse: size [H, W];
 *   concat: axis; slice: begin, size (-1: to the end); pad: pads ([before, after] per axis), value.
 */
import { globalAvgPool2dPlan, globalAvgPool2dReference, pool2dBackwardPlan, pool2dBackwardReference, pool2dPlan, pool2dReference, type PoolKind, type PoolOptions } from '../../kernels/sampling/pool.js';
import { pyramidFuseBackwardPlan, pyramidFuseBackwardReference, pyramidFusePlan, pyramidFuseReference } from '../../kernels/sampling/pyramid.js';
import { resizeBilinearBackwardPlan, resizeBilinearBackwardReference, resizeBilinearReference, resizeNearestReference, resizePlan, type ResizeOptions } from '../../kernels/sampling/resize.js';
import { concatPlan, concatReference, padPlan, padReference, slicePlan, sliceReference } from '../../kernels/sampling/shape-ops.js';
import type { Shape } from '../../kernels/shape.js';
import { registerGradient } from '../gradients.js';
import type { SymbolicTensor } from '../graph.js';
import { defineOp, type OpAttrs } from '../op-registry.js';

type Pads = readonly (readonly [number, number])[];

const poolOptions = (a: OpAttrs): PoolOptions => ({
  kernel: a.kernel as PoolOptions['kernel'],
  stride: a.stride as PoolOptions['stride'],
  padding: a.padding as PoolOptions['padding'],
  countIncludePad: a.countIncludePad as boolean | undefined,
});
const resizeOptions = (a: OpAttrs): ResizeOptions => ({ size: a.size as ResizeOptions['size'], scale: a.scale as ResizeOptions['scale'] });

for (const kind of ['max', 'avg'] as PoolKind[]) {
  defineOp(
    `${kind}_pool2d`,
    1,
    (_, [x], a) => pool2dPlan(kind, x!.shape, poolOptions(a)),
    ([x], a) => pool2dReference(kind, x!, poolOptions(a)),
  );
}

// max: (x, dy), recomputing each window's argmax; avg: (dy) with attrs.inputShape.
defineOp(
  'max_pool2d_backward',
  2,
  (_, [x, dy], a) => pool2dBackwardPlan('max', x!.shape, dy!.shape, poolOptions(a)),
  ([x, dy], a) => pool2dBackwardReference('max', x!.shape, x!, dy!, poolOptions(a)),
);
defineOp(
  'avg_pool2d_backward',
  1,
  (_, [dy], a) => pool2dBackwardPlan('avg', a.inputShape as Shape, dy!.shape, poolOptions(a)),
  ([dy], a) => pool2dBackwardReference('avg', a.inputShape as Shape, null, dy!, poolOptions(a)),
);

defineOp(
  'global_avg_pool2d',
  1,
  (_, [x]) => globalAvgPool2dPlan(x!.shape),
  ([x]) => globalAvgPool2dReference(x!),
);

defineOp(
  'resize_bilinear',
  1,
  (_, [x], a) => resizePlan('bilinear', x!.shape, resizeOptions(a)),
  ([x], a) => resizeBilinearReference(x!, resizeOptions(a)),
);
defineOp(
  'resize_bilinear_backward',
  1,
  (_, [dy], a) => resizeBilinearBackwardPlan(a.inputShape as Shape, dy!.shape, resizeOptions(a)),
  ([dy], a) => resizeBilinearBackwardReference(a.inputShape as Shape, dy!, resizeOptions(a)),
);
// Label maps: f32 class ids in the graph (the eager resizeNearest also takes i32).
defineOp(
  'resize_nearest',
  1,
  (_, [x], a) => resizePlan('nearest', x!.shape, resizeOptions(a)),
  ([x], a) => resizeNearestReference(x!, resizeOptions(a)),
);

defineOp(
  'pyramid_fuse',
  [1, 5],
  (_, levels, a) =>
    pyramidFusePlan(
      levels.map((t) => t.shape),
      a.size,
    ),
  (levels, a) => pyramidFuseReference(levels, a.size),
);
// dy [N, C, H, W] -> every level's gradient, flattened one after another: [N, C, sum_l Hl*Wl].
defineOp(
  'pyramid_fuse_backward',
  1,
  (_, [dy], a) => pyramidFuseBackwardPlan(a.levels as Shape[], dy!.shape),
  ([dy], a) => pyramidFuseBackwardReference(a.levels as Shape[], dy!),
);

defineOp(
  'concat',
  [1, 5],
  (_, parts, a) =>
    concatPlan(
      parts.map((p) => p.shape),
      a.axis as number,
    ),
  (parts, a) => concatReference(parts, a.axis as number),
);
defineOp(
  'slice',
  1,
  (_, [x], a) => slicePlan(x!.shape, a.begin as number[], a.size as number[]),
  ([x], a) => sliceReference(x!, a.begin as number[], a.size as number[]),
);
defineOp(
  'pad',
  1,
  (_, [x], a) => padPlan(x!.shape, a.pads as Pads, (a.value as number | undefined) ?? 0),
  ([x], a) => padReference(x!, a.pads as Pads, (a.value as number | undefined) ?? 0),
);

registerGradient('max_pool2d', (g, n, dy) => [() => g.apply('max_pool2d_backward', [n.inputs[0]!, dy], n.attrs)]);
registerGradient('avg_pool2d', (g, n, dy) => [() => g.apply('avg_pool2d_backward', [dy], { ...n.attrs, inputShape: n.inputs[0]!.shape })]);
registerGradient('global_avg_pool2d', (g, n, dy) => {
  const x = n.inputs[0]!;
  return [() => g.scale(g.broadcastTo(dy, x.shape), 1 / (x.shape[2]! * x.shape[3]!))];
});
registerGradient('resize_bilinear', (g, n, dy) => [() => g.apply('resize_bilinear_backward', [dy], { ...n.attrs, inputShape: n.inputs[0]!.shape })]);

// One backward kernel for every level, then each level's block is sliced out of its planes.
registerGradient('pyramid_fuse', (g, n, dy) => {
  let all: SymbolicTensor | undefined;
  const grads = () => (all ??= g.apply('pyramid_fuse_backward', [dy], { levels: n.inputs.map((t) => t.shape) }));
  let offset = 0;
  return n.inputs.map((level) => {
    const [batch, channels, h, w] = level.shape as [number, number, number, number];
    const begin = offset;
    offset += h * w;
    return () => g.reshape(g.apply('slice', [grads()], { begin: [0, 0, begin], size: [batch, channels, h * w] }), level.shape);
  });
});

registerGradient('concat', (g, n, dy) => {
  const axis = (n.attrs.axis as number) < 0 ? (n.attrs.axis as number) + dy.shape.length : (n.attrs.axis as number);
  let offset = 0;
  return n.inputs.map((part) => {
    const begin = part.shape.map((_, i) => (i === axis ? offset : 0));
    offset += part.shape[axis]!;
    return () => g.apply('slice', [dy], { begin, size: [...part.shape] });
  });
});
registerGradient('slice', (g, n, dy) => {
  const x = n.inputs[0]!;
  const begin = n.attrs.begin as number[];
  const pads = x.shape.map((d, i) => [begin[i]!, d - begin[i]! - dy.shape[i]!]);
  return [() => g.apply('pad', [dy], { pads, value: 0 })];
});
registerGradient('pad', (g, n, dy) => {
  const x = n.inputs[0]!;
  return [() => g.apply('slice', [dy], { begin: (n.attrs.pads as Pads).map((p) => p[0]), size: [...x.shape] })];
});
