/**
 * The op table: for every op, its output (shape and dtype, checked) and its kernel plan, from the kernel
 * layer, plus its float64 CPU reference. The graph builds on it, and so do the kernel tests (one helper,
 * checkOp, walks it). Gradient rules live apart, in gradients.ts.
 */
import { DTypeError, ShapeError } from '../errors.js';
import { binaryPlan, binaryReference } from '../kernels/elementwise/binary.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from '../kernels/elementwise/ops.js';
import { unaryPlan, unaryReference } from '../kernels/elementwise/unary.js';
import type { KernelPlan, TensorSpec } from '../kernels/launch.js';
import { matmulKernelPlan, matmulReference } from '../kernels/matmul/matmul.js';
import type { MatmulAlgorithm, MatmulTarget } from '../kernels/matmul/select.js';
import { reducePlan, reduceReference, type ReduceOp } from '../kernels/reduce.js';
import type { Activation, HostTensor } from '../kernels/reference.js';
import { formatShape, sizeOf, type Shape } from '../kernels/shape.js';
import { softmaxPlan, softmaxReference } from '../kernels/softmax.js';
import { broadcastToPlan, broadcastToReference, transposePlan, transposeReference } from '../kernels/transpose.js';

/** Attributes of one op call: axes, alpha, transposes, activation... (what each op takes). */
export type OpAttrs = Record<string, unknown>;

export interface OpDef {
  name: string;
  /** The kernel plan; also the shape rule (plans validate their inputs and say the output). */
  plan(target: MatmulTarget, inputs: TensorSpec[], attrs: OpAttrs): KernelPlan;
  /** Output spec, or a ShapeError/DTypeError. */
  infer(inputs: TensorSpec[], attrs: OpAttrs): TensorSpec;
  reference(inputs: HostTensor[], attrs: OpAttrs): HostTensor;
  arity: number | [number, number];
  /** Inputs a test should draw: positive for log, sqrt, pow. */
  domain?: 'positive';
}

/** Plans of most ops do not depend on the device; shape inference uses this stand-in target. */
const SHAPE_ONLY_TARGET: MatmulTarget = {
  adapter: { vendor: '', architecture: '', device: '', description: '', isSoftware: true, subgroupMinSize: 0, subgroupMaxSize: 0 },
  features: new Set(),
};

const registry = new Map<string, OpDef>();

function define(name: string, arity: OpDef['arity'], plan: OpDef['plan'], reference: OpDef['reference'], domain?: 'positive'): void {
  registry.set(name, {
    name,
    arity,
    plan,
    reference,
    domain,
    infer(inputs, attrs) {
      const [lo, hi] = typeof arity === 'number' ? [arity, arity] : arity;
      if (inputs.length < lo || inputs.length > hi) {
        throw new ShapeError(`takes ${lo === hi ? lo : `${lo} to ${hi}`} inputs, got ${inputs.length}`);
      }
      for (const [i, t] of inputs.entries()) {
        if (t.dtype !== 'f32') throw new DTypeError(`${name}: input ${i} is ${t.dtype}, but ${name} takes f32`);
      }
      return plan(SHAPE_ONLY_TARGET, inputs, attrs).out;
    },
  });
}

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

define('softmax', 1, (_, [x]) => softmaxPlan(x!.shape, false), ([x]) => softmaxReference(x!, false));
define('log_softmax', 1, (_, [x]) => softmaxPlan(x!.shape, true), ([x]) => softmaxReference(x!, true));

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
      // Pin an algorithm (tests, benchmarks); select.ts falls back if it cannot run the problem.
      algorithm: attrs.algorithm as MatmulAlgorithm | undefined,
    }),
  ([a, b, bias], attrs) =>
    matmulReference(a!, b!, {
      transA: !!attrs.transA,
      transB: !!attrs.transB,
      activation: (attrs.activation as Activation | undefined) ?? 'none',
      bias,
    }),
);

/** The definition of a registered op; throws for an unknown name. */
export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new ShapeError(`unknown op '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return def;
}

/** Every registered op name. */
export function opNames(): string[] {
  return [...registry.keys()];
}
