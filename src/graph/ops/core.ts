/** The core ops: elementwise, reductions, softmax, layout (transpose, broadcast, reshape) and matmul. */
import { ShapeError } from '../../errors.js';
import { defineOp as define } from '../op-registry.js';
import { binaryPlan, binaryReference } from '../../kernels/elementwise/binary.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from '../../kernels/elementwise/ops.js';
import { unaryPlan, unaryReference } from '../../kernels/elementwise/unary.js';
import { matmulKernelPlan, matmulReference } from '../../kernels/matmul/matmul.js';
import type { MatmulAlgorithm } from '../../kernels/matmul/select.js';
import { reducePlan, reduceReference, type ReduceOp } from '../../kernels/reduce.js';
import type { Activation } from '../../kernels/reference.js';
import { formatShape, sizeOf, type Shape } from '../../kernels/shape.js';
import { softmaxPlan, softmaxReference } from '../../kernels/softmax.js';
import { broadcastToPlan, broadcastToReference, transposePlan, transposeReference } from '../../kernels/transpose.js';

const domainOf = (spec: object): 'positive' | undefined => ('domain' in spec ? (spec.domain as 'positive') : undefined);

for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) {
  define(
    op,
    1,
    (_, [x], a) => unaryPlan(op, x!.shape, { alpha: a.alpha as number | undefined }),
    ([x], a) => unaryReference(op, x!, { alpha: a.alpha as number | undefined }),
    domainOf(UNARY_OPS[op]),
  );
}

for (const op of Object.keys(BINARY_OPS) as BinaryOp[]) {
  define(op, 2, (_, [a, b]) => binaryPlan(op, a!.shape, b!.shape), ([a, b]) => binaryReference(op, a!, b!), domainOf(BINARY_OPS[op]));
}

for (const op of ['sum', 'mean', 'max'] as ReduceOp[]) {
  define(
    `reduce_${op}`,
    1,
    (_, [x], a) => reducePlan(op, x!.shape, a.axes as number[] | undefined, { keepDims: !!a.keepDims }),
    ([x], a) => reduceReference(op, x!, a.axes as number[] | undefined, { keepDims: !!a.keepDims }),
  );
}

define('softmax', 1, (target, [x]) => softmaxPlan(x!.shape, false, target), ([x]) => softmaxReference(x!, false));
define('log_softmax', 1, (target, [x]) => softmaxPlan(x!.shape, true, target), ([x]) => softmaxReference(x!, true));

define(
  'transpose',
  1,
  (_, [x], a) => transposePlan(x!.shape, a.perm as number[] | undefined),
  ([x], a) => transposeReference(x!, a.perm as number[] | undefined),
);

define(
  'broadcast_to',
  1,
  (_, [x], a) => broadcastToPlan(x!.shape, a.shape as Shape),
  ([x], a) => broadcastToReference(x!, a.shape as Shape),
);

function reshapeShape(from: Shape, to: Shape): Shape {
  if (sizeOf(from) !== sizeOf(to) || to.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`cannot reshape ${formatShape(from)} (${sizeOf(from)} elements) to ${formatShape(to)}`);
  }
  return to;
}

// A reshape copies (an identity kernel): simple, and the planner reuses the memory at once.
define(
  'reshape',
  1,
  (_, [x], a) => {
    const plan = unaryPlan('identity', x!.shape);
    return { ...plan, out: { shape: reshapeShape(x!.shape, a.shape as Shape), dtype: 'f32' } };
  },
  ([x], a) => ({ shape: reshapeShape(x!.shape, a.shape as Shape), data: x!.data.slice() }),
);

define('stop_gradient', 1, (_, [x]) => unaryPlan('identity', x!.shape), ([x]) => ({ shape: x!.shape, data: x!.data.slice() }));

define(
  'matmul',
  [2, 3],
  (target, [a, b, bias], attrs) =>
    matmulKernelPlan(target, a!.shape, b!.shape, {
      transA: !!attrs.transA,
      transB: !!attrs.transB,
      activation: (attrs.activation as Activation | undefined) ?? 'none',
      biasShape: bias?.shape,
      biasPerRow: !!attrs.biasPerRow,
      // Pin an algorithm (tests, benchmarks); select.ts falls back if it cannot run the problem.
      algorithm: attrs.algorithm as MatmulAlgorithm | undefined,
    }),
  ([a, b, bias], attrs) =>
    matmulReference(a!, b!, {
      transA: !!attrs.transA,
      transB: !!attrs.transB,
      activation: (attrs.activation as Activation | undefined) ?? 'none',
      biasPerRow: !!attrs.biasPerRow,
      bias,
    }),
);

