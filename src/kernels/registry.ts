/**
 * The kernel op table: every kernel under one name, with how to run it on the GPU and its CPU reference.
 * The test helper (test/helpers/check-op.ts) and the in-browser kernel tests walk this table, so adding a
 * kernel adds one entry here and one line of test.
 */
import { binary, binaryReference } from './elementwise/binary.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from './elementwise/ops.js';
import { unary, unaryReference } from './elementwise/unary.js';
import { matmul, matmulReference, type MatmulOptions } from './matmul/matmul.js';
import { reduce, reduceReference, type ReduceOp } from './reduce.js';
import type { HostTensor } from './reference.js';
import type { KernelRuntime } from './runtime.js';
import { logSoftmax, softmax, softmaxReference } from './softmax.js';
import type { Tensor } from './tensor.js';
import { transpose, transposeReference } from './transpose.js';

/** Attributes of one call: axes, alpha, transposes, activation... (what each kernel takes). */
export type OpAttrs = Record<string, unknown>;

export interface KernelOp {
  /** Number of tensor inputs (matmul's bias is a third input when attrs.bias is true). */
  arity: number;
  run(rt: KernelRuntime, inputs: Tensor[], attrs: OpAttrs): Promise<Tensor>;
  reference(inputs: HostTensor[], attrs: OpAttrs): HostTensor;
  /** Input values a test should draw: positive for log/sqrt/pow. */
  domain?: 'positive';
}

const table: Record<string, KernelOp> = {};

for (const [name, spec] of Object.entries(UNARY_OPS)) {
  table[name] = {
    arity: 1,
    run: (rt, [x], attrs) => unary(rt, name as UnaryOp, x!, { alpha: attrs.alpha as number | undefined }),
    reference: ([x], attrs) => unaryReference(name as UnaryOp, x!, { alpha: attrs.alpha as number | undefined }),
    domain: 'domain' in spec ? spec.domain : undefined,
  };
}

for (const [name, spec] of Object.entries(BINARY_OPS)) {
  table[name] = {
    arity: 2,
    run: (rt, [a, b]) => binary(rt, name as BinaryOp, a!, b!),
    reference: ([a, b]) => binaryReference(name as BinaryOp, a!, b!),
    domain: 'domain' in spec ? spec.domain : undefined,
  };
}

for (const op of ['sum', 'mean', 'max'] as ReduceOp[]) {
  table[`reduce_${op}`] = {
    arity: 1,
    run: (rt, [x], attrs) => reduce(rt, op, x!, attrs.axes as number[] | undefined, { keepDims: !!attrs.keepDims }),
    reference: ([x], attrs) => reduceReference(op, x!, attrs.axes as number[] | undefined, { keepDims: !!attrs.keepDims }),
  };
}

table.softmax = { arity: 1, run: (rt, [x]) => softmax(rt, x!), reference: ([x]) => softmaxReference(x!, false) };
table.log_softmax = { arity: 1, run: (rt, [x]) => logSoftmax(rt, x!), reference: ([x]) => softmaxReference(x!, true) };

table.transpose = {
  arity: 1,
  run: (rt, [x], attrs) => transpose(rt, x!, attrs.perm as number[] | undefined),
  reference: ([x], attrs) => transposeReference(x!, attrs.perm as number[] | undefined),
};

table.matmul = {
  arity: 2,
  run: (rt, [a, b, bias], attrs) => matmul(rt, a!, b!, { ...(attrs as MatmulOptions), bias }),
  reference: ([a, b, bias], attrs) =>
    matmulReference(a!, b!, { ...(attrs as Omit<MatmulOptions, 'bias'>), bias }),
};

export const KERNEL_OPS: Readonly<Record<string, KernelOp>> = table;
