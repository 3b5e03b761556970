import { describe, expect, it } from 'vitest';
import { binaryPlan } from '../../src/kernels/elementwise/binary.js';
import { BINARY_OPS, UNARY_OPS } from '../../src/kernels/elementwise/ops.js';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

// Size 1, odd sizes, sizes that are not multiples of the 256-wide workgroup, and multiples of 4 (vec4 path).
const UNARY_SHAPES = [[1], [7], [257], [3, 5, 33], [8], [4, 1028]];

// exp/log/sqrt/... go through f32 transcendental builtins: a few ulp.
const UNARY_TOL: Record<string, { rtol: number; atol: number }> = {
  gelu: { rtol: 1e-5, atol: 2e-6 },
  silu: { rtol: 1e-5, atol: 1e-6 },
  sigmoid: { rtol: 1e-5, atol: 1e-6 },
  tanh: { rtol: 1e-5, atol: 1e-6 },
  exp: { rtol: 1e-5, atol: 1e-6 },
  log: { rtol: 1e-5, atol: 1e-6 },
  gelu_grad: { rtol: 1e-5, atol: 2e-6 },
  silu_grad: { rtol: 1e-5, atol: 1e-6 },
};

describe('unary ops against their CPU references', () => {
  for (const op of Object.keys(UNARY_OPS)) {
    it(op, async () => {
      for (const shape of UNARY_SHAPES) {
        await checkOp(ctx.rt, op, [shape], { attrs: { alpha: -1.75 }, ...(UNARY_TOL[op] ?? { rtol: 1e-6, atol: 1e-7 }) });
      }
    });
  }
});

describe('binary ops with NumPy broadcasting', () => {
  const pairs: [number[], number[]][] = [
    [[1], [1]],
    [[13], [13]],
    [[12], [12]], // vec4 path
    [[4, 1028], [4, 1028]], // vec4 path over more than one workgroup
    [[3, 5], [5]],
    [[5], [3, 5]],
    [[3, 1, 5], [1, 4, 1]],
    [[1], [6, 7]],
    [[2, 3, 4, 5], [3, 1, 5]],
    [[2, 1, 3, 1, 2, 1, 2, 3], [1, 2, 1, 3, 1, 2, 1, 1]],
    // Broadcasts that collapse to rank <= 3 with an inner axis of >= 32 run on the grid entries:
    [[4, 6, 32], [4, 1, 32]], // vec4, operand broadcast along the middle axis
    [[3, 5, 36], [1, 5, 1]], // vec4, operand broadcast along the inner axis (stride 0)
    [[3, 5, 33], [3, 5, 1]], // scalar grid entry (33 is not a multiple of 4)
    [[2, 3, 2, 40], [3, 1, 40]], // collapses [2, 3, 80] against strides [0, 40, 1]
  ];
  it('takes the grid entries where a broadcast collapses to rank <= 3 with a long inner axis', () => {
    const entry = (a: number[], b: number[]) => binaryPlan('mul', a, b).launches[0]!.entry;
    expect(entry([4, 64, 1024], [4, 1, 1024])).toBe('main_grid_vec4');
    expect(entry([4, 3, 128, 128], [1, 3, 1, 1])).toBe('main_grid_vec4');
    expect(entry([3, 5, 33], [3, 5, 1])).toBe('main_grid');
    expect(entry([3, 5], [5])).toBe('main');
  });
  for (const op of Object.keys(BINARY_OPS)) {
    it(op, async () => {
      for (const [a, b] of pairs) await checkOp(ctx.rt, op, [a, b], { rtol: 1e-5, atol: 1e-6 });
    });
  }
});

describe('the float64 erf behind the GELU reference', () => {
  it('matches known values across both of its branches', async () => {
    const { erf } = await import('../../src/kernels/reference.js');
    // Values from Python's math.erf.
    const known: [number, number][] = [
      [0.1, 0.1124629160182849],
      [1, 0.8427007929497149],
      [2.4, 0.999311486103355],
      [2.6, 0.9997639655834707],
      [3, 0.9999779095030014],
      [-1, -0.8427007929497149],
    ];
    for (const [x, want] of known) {
      if (Math.abs(erf(x) - want) > 1e-15) throw new Error(`erf(${x}) = ${erf(x)}, want ${want}`);
    }
  });
});
