import { describe, expect, it } from 'vitest';
import { DeviceError, ShapeError } from '../../src/errors.js';
import { conv2dReference } from '../../src/kernels/conv/forward.js';
import { conv2dNhwc, conv2dNhwcPlan, conv2dNhwcReference, type Conv2dNhwcOptions } from '../../src/kernels/conv/nhwc.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import { subgroupsOf8 } from '../../src/kernels/matmul/select.js';
import { host, type Activation, type HostTensor } from '../../src/kernels/reference.js';
import { sizeOf, stridesOf, type Shape } from '../../src/kernels/shape.js';
import { compare } from '../helpers/check-op.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

// f32 accumulation over kH*kW*Cin terms of size ~4, as in conv.test.ts.
const TOL = { rtol: 1e-5, atol: 5e-5 };

interface NhwcCase {
  x: Shape;
  w: Shape;
  attrs: Conv2dNhwcOptions;
}

/**
 * Pixel counts that are not multiples of the kernel's 40-pixel blocks, Cout not a multiple of its 64-channel
 * subgroups (12, 4) or above one (72), stride 2, asymmetric padding, dilation, batch 2, 1x1 and 5x5.
 */
const CASES: NhwcCase[] = [
  { x: [1, 11, 9, 8], w: [3, 3, 8, 12], attrs: { padding: 1 } },
  { x: [2, 13, 9, 4], w: [3, 3, 4, 8], attrs: { stride: 2, padding: 1 } },
  { x: [1, 10, 12, 8], w: [3, 3, 8, 4], attrs: { dilation: 2, padding: [2, 1, 0, 3] } },
  { x: [1, 7, 5, 16], w: [1, 1, 16, 72], attrs: {} },
  { x: [1, 17, 15, 4], w: [5, 5, 4, 20], attrs: { stride: [2, 1], padding: [2, 2] } },
  { x: [1, 1, 1, 4], w: [1, 1, 4, 4], attrs: {} },
];

function hostInput(shape: Shape, seed: number): HostTensor {
  return host(shape, randomValues(sizeOf(shape), seed));
}

/** x NHWC -> NCHW, weight HWIO -> OIHW, y NCHW -> NHWC: for checking the NHWC reference against the NCHW one. */
function permute(t: HostTensor, order: readonly number[]): HostTensor {
  const shape = order.map((a) => t.shape[a]!);
  const inStrides = stridesOf(t.shape);
  const out = new Float64Array(t.data.length);
  let i = 0;
  for (let a = 0; a < shape[0]!; a++)
    for (let b = 0; b < shape[1]!; b++)
      for (let c = 0; c < shape[2]!; c++)
        for (let d = 0; d < shape[3]!; d++) {
          const idx = [a, b, c, d];
          let src = 0;
          order.forEach((axis, k) => (src += idx[k]! * inStrides[axis]!));
          out[i++] = t.data[src]!;
        }
  return { shape, data: out };
}

async function runNhwc(c: NhwcCase, bias: boolean, activation?: Activation): Promise<void> {
  const x = hostInput(c.x, 11);
  const w = hostInput(c.w, 12);
  const b = bias ? hostInput([c.w[3]!], 13) : undefined;
  const want = conv2dNhwcReference(x, w, { ...c.attrs, bias: b, activation });
  const xs = ctx.rt.upload(Float32Array.from(x.data), c.x, 'f32', 'x');
  const ws = ctx.rt.upload(Float32Array.from(w.data), c.w, 'f32', 'w');
  const bs = b ? ctx.rt.upload(Float32Array.from(b.data), b.shape, 'f32', 'b') : undefined;
  const y = await conv2dNhwc(ctx.rt, xs, ws, { ...c.attrs, bias: bs, activation });
  const got = await ctx.rt.read(y);
  for (const t of [xs, ws, y, ...(bs ? [bs] : [])]) t.destroy();
  expect(y.shape).toEqual(want.shape);
  const r = compare(got, want.data, TOL.rtol, TOL.atol);
  expect(r.ok, `conv2d_nhwc(${JSON.stringify(c)}) bias=${bias}: element ${r.worstIndex} is ${r.got}, reference ${r.want}`).toBe(true);
}

describe('conv2d NHWC reference', () => {
  it('equals the NCHW reference on transposed tensors', () => {
    for (const c of CASES) {
      const x = hostInput(c.x, 1);
      const w = hostInput(c.w, 2);
      const b = hostInput([c.w[3]!], 3);
      const nhwc = conv2dNhwcReference(x, w, { ...c.attrs, bias: b, activation: 'relu' });
      const nchw = conv2dReference(permute(x, [0, 3, 1, 2]), permute(w, [3, 2, 0, 1]), { ...c.attrs, bias: b, activation: 'relu' });
      const back = permute(nchw, [0, 2, 3, 1]);
      expect(nhwc.shape).toEqual(back.shape);
      expect(compare(nhwc.data, back.data, 1e-12, 1e-12).ok).toBe(true);
    }
  });
});

describe('conv2d NHWC kernel against the float64 reference', () => {
  it('runs where subgroups have 8 lanes and says so elsewhere', () => {
    const target = matmulTarget(ctx.rt);
    // Lavapipe (CI) has 8-lane subgroups, so the cases below must run there.
    if (ctx.dev.adapter.vendor === 'mesa') expect(subgroupsOf8(target)).toBe(true);
    if (!subgroupsOf8(target)) expect(() => conv2dNhwcPlan(target, [1, 4, 4, 4], [3, 3, 4, 4])).toThrow(DeviceError);
  });
  it('every config, no bias', async () => {
    if (!subgroupsOf8(matmulTarget(ctx.rt))) return;
    for (const c of CASES) await runNhwc(c, false);
  });
  it('bias and activation epilogue', async () => {
    if (!subgroupsOf8(matmulTarget(ctx.rt))) return;
    for (const c of CASES.slice(0, 4)) await runNhwc(c, true, 'relu');
    await runNhwc(CASES[4]!, true, 'gelu');
  });
});

describe('conv2d NHWC shape errors', () => {
  const plan = (x: Shape, w: Shape, attrs: Conv2dNhwcOptions & { biasShape?: Shape } = {}) => () =>
    conv2dNhwcPlan(matmulTarget(ctx.rt), x, w, attrs);
  it('names the op and the numbers', () => {
    expect(plan([1, 8, 8, 6], [3, 3, 6, 8])).toThrow(ShapeError);
    expect(plan([1, 8, 8, 6], [3, 3, 6, 8])).toThrow(/Cin \(6\) and Cout \(8\) must be multiples of 4/);
    expect(plan([1, 8, 8, 8], [3, 3, 4, 8])).toThrow(/weight dim 2 must be Cin = 8, got 4/);
    expect(plan([1, 2, 2, 4], [5, 5, 4, 4])).toThrow(/larger than the padded input \(2x2\)/);
    expect(plan([1, 8, 8, 4], [3, 3, 4, 8], { biasShape: [4] })).toThrow(/bias must have shape \[8\]/);
    expect(plan([8, 8, 4], [3, 3, 4, 8])).toThrow(/x must be 4-D \[N, H, W, Cin\]/);
  });
});
