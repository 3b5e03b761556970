/**
 * Batched matmul with optional transposes and a fused bias + activation epilogue:
 * C[b] = act(op(A[b]) @ op(B[b]) + bias). A 2-D operand (or a batch of 1) is broadcast over the batch.
 */
import { ShapeError } from '../../errors.js';
import { ACTIVATIONS, activationRef, type Activation, type HostTensor } from '../reference.js';
import { runPlan, type KernelLaunch, type KernelPlan, type Slot, type TensorSpec } from '../launch.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { transposePlan } from '../transpose.js';
import { chooseMatmul, type MatmulAlgorithm, type MatmulPlan, type MatmulTarget } from './select.js';

export interface MatmulOptions {
  /** A is stored [.., K, M]. */
  transA?: boolean;
  /** B is stored [.., N, K]. */
  transB?: boolean;
  /** Added to every row of C: shape [N] (or to every column, shape [M], with biasPerRow). */
  bias?: Tensor;
  /** The bias has one value per row of C (shape [M]): C as [channels, pixels] in a 1x1 convolution. */
  biasPerRow?: boolean;
  activation?: Activation;
  /** Pin an algorithm instead of letting select.ts choose (tests, benchmarks). */
  algorithm?: MatmulAlgorithm;
}

export interface MatmulGeometry {
  batch: number;
  m: number;
  n: number;
  k: number;
  aBatchStride: number;
  bBatchStride: number;
  outShape: number[];
}

/** Check shapes and work out M, N, K and the batch; throws ShapeError with the numbers. */
export function matmulGeometry(
  aShape: readonly number[],
  bShape: readonly number[],
  options: Pick<MatmulOptions, 'transA' | 'transB' | 'biasPerRow'> & { biasShape?: readonly number[] } = {},
): MatmulGeometry {
  const describe = `matmul(${formatShape(aShape)}${options.transA ? 'ᵀ' : ''}, ${formatShape(bShape)}${options.transB ? 'ᵀ' : ''})`;
  for (const [name, s] of [['A', aShape], ['B', bShape]] as const) {
    if (s.length !== 2 && s.length !== 3) {
      throw new ShapeError(`${describe}: ${name} must be 2-D [rows, cols] or 3-D [batch, rows, cols], got rank ${s.length}`);
    }
  }
  const a2 = aShape.slice(-2);
  const b2 = bShape.slice(-2);
  const [m, ka] = options.transA ? [a2[1]!, a2[0]!] : [a2[0]!, a2[1]!];
  const [kb, n] = options.transB ? [b2[1]!, b2[0]!] : [b2[0]!, b2[1]!];
  if (ka !== kb) {
    throw new ShapeError(`${describe}: inner dimensions differ (A gives K=${ka}, B gives K=${kb})`);
  }
  const batchA = aShape.length === 3 ? aShape[0]! : 1;
  const batchB = bShape.length === 3 ? bShape[0]! : 1;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
    throw new ShapeError(`${describe}: batch sizes ${batchA} and ${batchB} differ and neither is 1`);
  }
  const biasLength = options.biasPerRow ? m : n;
  if (options.biasShape && (options.biasShape.length !== 1 || options.biasShape[0] !== biasLength)) {
    throw new ShapeError(`${describe}: bias must have shape [${biasLength}], got ${formatShape(options.biasShape)}`);
  }
  const batch = Math.max(batchA, batchB);
  const outShape = aShape.length === 3 || bShape.length === 3 ? [batch, m, n] : [m, n];
  return {
    batch,
    m,
    n,
    k: ka,
    aBatchStride: batchA === 1 ? 0 : m * ka,
    bBatchStride: batchB === 1 ? 0 : ka * n,
    outShape,
  };
}

/** What the device offers that the algorithm choice depends on. */
export function matmulTarget(rt: KernelRuntime): MatmulTarget {
  return { adapter: rt.gpu.adapter, features: rt.gpu.features };
}

/** The plan (algorithm and tiles) matmul() would use for these operands on this runtime. */
export function matmulPlan(rt: KernelRuntime, a: Tensor, b: Tensor, options: MatmulOptions = {}): MatmulPlan {
  return matmulAlgorithm(matmulTarget(rt), a.shape, b.shape, options);
}

function matmulAlgorithm(target: MatmulTarget, aShape: Shape, bShape: Shape, options: MatmulOptions): MatmulPlan {
  const g = matmulGeometry(aShape, bShape, options);
  return chooseMatmul(target, { m: g.m, n: g.n, k: g.k, transA: !!options.transA, transB: !!options.transB }, options.algorithm);
}

/**
 * The kernel plan of C = act(op(A) @ op(B) + bias) with inputs in0 = A, in1 = B and, when
 * `hasBias`, in2 = bias.
 */
export function matmulKernelPlan(
  target: MatmulTarget,
  aShape: Shape,
  bShape: Shape,
  options: Omit<MatmulOptions, 'bias'> & { biasShape?: Shape } = {},
): KernelPlan {
  const g = matmulGeometry(aShape, bShape, options);
  if (g.k === 0) {
    throw new ShapeError(`matmul: the inner dimension K is 0 (shapes ${formatShape(aShape)} and ${formatShape(bShape)}); there is nothing to multiply`);
  }
  const plan = matmulAlgorithm(target, aShape, bShape, options);
  const launches: KernelLaunch[] = [];
  const temps: TensorSpec[] = [];
  let bSlot: Slot = 'in1';
  if (plan.pretransposeB) {
    // [.., N, K] -> [.., K, N]: the kernel then reads B along N as vec4.
    const t = transposePlan(bShape, bShape.length === 3 ? [0, 2, 1] : [1, 0]);
    temps.push(t.out);
    launches.push({ ...t.launches[0]!, bindings: { x: 'in1', y: 'tmp0' } });
    bSlot = 'tmp0';
  }
  const hasBias = !!options.biasShape;
  launches.push({
    shader: plan.shader,
    entry: 'main',
    overrides: {
      ...plan.overrides,
      TRANS_A: !!options.transA,
      ...(plan.takesTransB ? { TRANS_B: !!options.transB } : {}),
      HAS_BIAS: hasBias,
      BIAS_PER_ROW: !!options.biasPerRow,
      ACT: ACTIVATIONS[options.activation ?? 'none'],
    },
    uniforms: { m: g.m, n: g.n, k: g.k, a_batch_stride: g.aBatchStride, b_batch_stride: g.bBatchStride },
    workgroups: [Math.ceil(g.n / plan.block[1]), Math.ceil(g.m / plan.block[0]), g.batch],
    // An unused bias binding still needs a buffer: bind A again (never read when HAS_BIAS is false).
    bindings: { a: 'in0', b: bSlot, bias: hasBias ? 'in2' : 'in0', c: 'out' },
  });
  return { out: { shape: g.outShape, dtype: 'f32' }, temps, launches };
}

/** C = act(op(A) @ op(B) + bias). */
export async function matmul(rt: KernelRuntime, a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor> {
  expectDType('matmul', a, ['f32']);
  expectDType('matmul', b, ['f32']);
  if (options.bias) expectDType('matmul', options.bias, ['f32']);
  const plan = matmulKernelPlan(matmulTarget(rt), a.shape, b.shape, { ...options, biasShape: options.bias?.shape });
  const inputs = options.bias ? [a, b, options.bias] : [a, b];
  return runPlan(rt, plan, inputs, `matmul(${a.name}, ${b.name})`);
}

/** CPU reference of matmul() (float64 accumulation). */
export function matmulReference(a: HostTensor, b: HostTensor, options: Omit<MatmulOptions, 'bias' | 'algorithm'> & { bias?: HostTensor } = {}): HostTensor {
  const g = matmulGeometry(a.shape, b.shape, { ...options, biasShape: options.bias?.shape });
  const { m, n, k } = g;
  const out = new Float64Array(g.batch * m * n);
  const act = options.activation ?? 'none';
  for (let bi = 0; bi < g.batch; bi++) {
    const ao = bi * g.aBatchStride;
    const bo = bi * g.bBatchStride;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a.data[ao + (options.transA ? p * m + i : i * k + p)]!;
          const bv = b.data[bo + (options.transB ? j * k + p : p * n + j)]!;
          s += av * bv;
        }
        if (options.bias) s += options.bias.data[options.biasPerRow ? i : j]!;
        out[(bi * m + i) * n + j] = activationRef(act, s);
      }
    }
  }
  return { shape: g.outShape, data: out };
}
