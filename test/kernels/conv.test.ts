import { describe, expect, it } from 'vitest';
import { conv2dPlan } from '../../src/kernels/conv/forward.js';
import { convGeometry } from '../../src/kernels/conv/geometry.js';
import { chooseConvForward, type ConvAlgorithm } from '../../src/kernels/conv/select.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import { checkOp } from '../helpers/check-op.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

// f32 accumulation over C*kH*kW (or N*H*W) terms of size ~4.
const TOL = { rtol: 1e-5, atol: 5e-5 };

interface ConvCase {
  x: number[];
  w: number[];
  attrs: Record<string, unknown>;
}

/** Every attribute, odd sizes, size 1, channel counts that are not multiples of the 4-channel blocks. */
const CASES: ConvCase[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], attrs: {} },
  { x: [2, 3, 9, 7], w: [5, 3, 3, 3], attrs: { padding: [1, 1] } },
  { x: [1, 4, 11, 9], w: [6, 4, 3, 3], attrs: { stride: [2, 2], padding: [1, 1] } },
  { x: [1, 3, 10, 13], w: [2, 3, 3, 2], attrs: { stride: [2, 3], padding: [0, 2, 1, 0] } },
  { x: [1, 3, 12, 10], w: [4, 3, 3, 3], attrs: { dilation: [2, 2], padding: [2, 2] } },
  { x: [2, 8, 6, 7], w: [12, 2, 3, 3], attrs: { groups: 4, padding: [1, 1] } },
  { x: [1, 6, 9, 8], w: [6, 1, 3, 3], attrs: { groups: 6, padding: [1, 1] } },
  { x: [1, 9, 5, 6], w: [7, 9, 1, 1], attrs: {} },
  { x: [1, 3, 17, 15], w: [4, 3, 7, 7], attrs: { stride: [2, 2], padding: [3, 3] } },
  { x: [1, 2, 8, 8], w: [3, 2, 5, 5], attrs: { stride: [3, 2], dilation: [1, 2], padding: [2, 1, 0, 4] } },
];

/** Wider cases for the 16-channel blocks of the subgroup kernel: 16, 17, 33 channels per group, rows past 8. */
const WIDE: ConvCase[] = [
  { x: [1, 5, 11, 19], w: [17, 5, 3, 3], attrs: { padding: [1, 1] } },
  { x: [2, 4, 9, 21], w: [33, 4, 3, 3], attrs: { stride: [2, 1], padding: [0, 1, 2, 1] } },
  { x: [1, 8, 10, 9], w: [32, 4, 3, 3], attrs: { groups: 2, dilation: [2, 1], padding: [2, 1] } },
  { x: [1, 3, 13, 67], w: [16, 3, 1, 1], attrs: {} },
  // A row segment wider than the windowed entry's 32 values: the per-tap subgroup entry point.
  { x: [1, 4, 9, 40], w: [16, 4, 3, 7], attrs: { stride: [1, 4], padding: [1, 3] } },
];

describe.each(['subgroup', 'portable', 'im2col'] as ConvAlgorithm[])('conv2d forward (%s) against the float64 reference', (algorithm) => {
  it('runs as itself here (not a fallback) on lavapipe', () => {
    const g = convGeometry('conv2d', [1, 16, 8, 8], [16, 16, 3, 3], {});
    // Lavapipe (CI) has 8-lane subgroups, so every kernel must be exercised by the cases below.
    if (ctx.dev.adapter.vendor !== 'mesa') return;
    if (algorithm === 'im2col') expect(conv2dPlan(matmulTarget(ctx.rt), [1, 16, 8, 8], [16, 16, 3, 3], { algorithm }).variant).toBe('im2col');
    else expect(chooseConvForward(matmulTarget(ctx.rt), g, algorithm).algorithm).toBe(algorithm);
  });
  if (algorithm === 'subgroup') {
    it('uses the windowed entry where the row segment fits, the per-tap one where it does not', () => {
      if (ctx.dev.adapter.vendor !== 'mesa') return;
      const target = matmulTarget(ctx.rt);
      expect(chooseConvForward(target, convGeometry('conv2d', [1, 16, 8, 8], [16, 16, 3, 3], {})).entry).toBe('conv2d_forward_window');
      expect(chooseConvForward(target, convGeometry('conv2d', [1, 4, 9, 40], [16, 4, 3, 7], { stride: [1, 4] })).entry).toBe('conv2d_forward');
    });
  }
  it('every config, no bias', async () => {
    for (const c of [...CASES, ...WIDE]) await checkOp(ctx.rt, 'conv2d', [c.x, c.w], { attrs: { ...c.attrs, algorithm }, ...TOL });
  });
  it('bias and relu epilogue', async () => {
    for (const c of [...CASES.slice(1, 7), ...WIDE]) {
      await checkOp(ctx.rt, 'conv2d', [c.x, c.w, [c.w[0]!]], { attrs: { ...c.attrs, activation: 'relu', algorithm }, ...TOL });
    }
  });
});

describe('conv2d forward: unfold + matmul for narrow maps', () => {
  it('is the default on 8-lane CPU adapters below 64 pixels of width, the direct kernel from 64 on', () => {
    if (ctx.dev.adapter.vendor !== 'mesa') return;
    const target = matmulTarget(ctx.rt);
    expect(conv2dPlan(target, [4, 64, 32, 32], [64, 64, 3, 3], { padding: 1 }).variant).toBe('im2col');
    expect(conv2dPlan(target, [4, 128, 4, 4], [128, 128, 3, 3], { padding: 1 }).variant).toBe('im2col');
    expect(conv2dPlan(target, [1, 16, 64, 64], [16, 16, 3, 3], { padding: 1 }).variant).toBeUndefined();
    // Grouped convs keep the direct kernels.
    expect(conv2dPlan(target, [1, 8, 8, 8], [8, 4, 3, 3], { padding: 1, groups: 2 }).variant).toBeUndefined();
  });
});

describe('conv2d forward (1x1 as a matmul) against the float64 reference', () => {
  it('routes 1x1 convs to the matmul kernels and matches the reference', async () => {
    expect(conv2dPlan(matmulTarget(ctx.rt), [2, 5, 4, 6], [7, 5, 1, 1]).launches.at(-1)!.shader).toMatch(/^matmul_/);
    for (const [x, w] of [
      [[2, 5, 4, 6], [7, 5, 1, 1]],
      [[1, 16, 8, 8], [3, 16, 1, 1]],
    ] as const) {
      await checkOp(ctx.rt, 'conv2d', [x, w], TOL);
      await checkOp(ctx.rt, 'conv2d', [x, w, [w[0]]], { attrs: { activation: 'relu' }, ...TOL });
    }
  });
});

describe('conv2d forward (depthwise kernel) against the float64 reference', () => {
  /** One input and one output channel per group: odd widths (not multiples of 8 pixels), stride, dilation, asymmetric padding. */
  const DEPTHWISE: ConvCase[] = [
    { x: [1, 1, 1, 1], w: [1, 1, 1, 1], attrs: {} },
    { x: [2, 5, 9, 19], w: [5, 1, 3, 3], attrs: { groups: 5, padding: [1, 1] } },
    { x: [1, 3, 12, 23], w: [3, 1, 3, 3], attrs: { groups: 3, stride: [2, 2], padding: [1, 1] } },
    { x: [1, 4, 10, 17], w: [4, 1, 5, 3], attrs: { groups: 4, dilation: [2, 1], padding: [0, 3, 2, 1] } },
    { x: [1, 2, 7, 7], w: [2, 1, 7, 7], attrs: { groups: 2, stride: [2, 3], padding: [3, 3] } },
    // A row segment longer than the fixed kernel's 32-value window: the general depthwise entry point.
    { x: [1, 2, 9, 40], w: [2, 1, 3, 7], attrs: { groups: 2, stride: [1, 4], padding: [1, 3] } },
    // 3x3, stride 1, left padding 1: the rolling subgroup kernel on 8-lane adapters. Rows past one
    // invocation's 16 and one workgroup's 64, widths past one subgroup's 64 pixels, other top/bottom/right padding.
    { x: [1, 3, 70, 70], w: [3, 1, 3, 3], attrs: { groups: 3, padding: [1, 1] } },
    { x: [2, 2, 20, 13], w: [2, 1, 3, 3], attrs: { groups: 2, padding: [2, 0, 1, 2] } },
    { x: [1, 2, 5, 67], w: [2, 1, 3, 3], attrs: { groups: 2, padding: [0, 1, 1, 0] } },
  ];
  it('is chosen for depthwise geometries', () => {
    const g = convGeometry('conv2d', [1, 8, 8, 8], [8, 1, 3, 3], { groups: 8 });
    expect(chooseConvForward(matmulTarget(ctx.rt), g)).toMatchObject({ algorithm: 'depthwise', entry: 'conv2d_depthwise_rows2' });
    const strided = convGeometry('conv2d', [1, 8, 9, 8], [8, 1, 3, 3], { groups: 8, stride: 2 });
    expect(chooseConvForward(matmulTarget(ctx.rt), strided).entry).toBe('conv2d_depthwise_fixed');
    const wide = convGeometry('conv2d', [1, 2, 9, 40], [2, 1, 3, 7], { groups: 2, stride: [1, 4] });
    expect(chooseConvForward(matmulTarget(ctx.rt), wide).entry).toBe('conv2d_depthwise');
    const same = convGeometry('conv2d', [1, 8, 8, 8], [8, 1, 3, 3], { groups: 8, padding: 1 });
    if (ctx.dev.adapter.vendor === 'mesa') expect(chooseConvForward(matmulTarget(ctx.rt), same).entry).toBe('conv2d_depthwise_rolling');
  });
  it('every config, with and without bias + relu', async () => {
    for (const c of DEPTHWISE) {
      await checkOp(ctx.rt, 'conv2d', [c.x, c.w], { attrs: c.attrs, ...TOL });
      await checkOp(ctx.rt, 'conv2d', [c.x, c.w, [c.w[0]!]], { attrs: { ...c.attrs, activation: 'relu' }, ...TOL });
    }
  });
});

/** The conv's output shape, for the backward ops' dy. */
function outShape(c: ConvCase): number[] {
  const pair = (v: unknown, d: number): [number, number] => (v === undefined ? [d, d] : (v as [number, number]));
  const [sh, sw] = pair(c.attrs.stride, 1);
  const [dh, dw] = pair(c.attrs.dilation, 1);
  const p = (c.attrs.padding as number[] | undefined) ?? [0, 0];
  const [pt, pb, pl, pr] = p.length === 2 ? [p[0]!, p[0]!, p[1]!, p[1]!] : p;
  const oh = Math.floor((c.x[2]! + pt! + pb! - dh * (c.w[2]! - 1) - 1) / sh) + 1;
  const ow = Math.floor((c.x[3]! + pl! + pr! - dw * (c.w[3]! - 1) - 1) / sw) + 1;
  return [c.x[0]!, c.w[0]!, oh, ow];
}

describe('conv2d backward kernels against the float64 reference', () => {
  it('backward-data, every config', async () => {
    for (const c of CASES) {
      await checkOp(ctx.rt, 'conv2d_backward_data', [outShape(c), c.w], { attrs: { ...c.attrs, inputShape: c.x }, ...TOL });
    }
  });
  it('backward-weight, every config', async () => {
    for (const c of CASES) {
      await checkOp(ctx.rt, 'conv2d_backward_weight', [c.x, outShape(c)], { attrs: { ...c.attrs, kernelSize: c.w.slice(2) }, ...TOL });
    }
  });
  it('backward-weight with a long reduction split into partial sums', async () => {
    // 2 x 64 x 64 outputs per weight element: several splits plus the reduce launch.
    const c: ConvCase = { x: [2, 2, 64, 64], w: [3, 2, 3, 3], attrs: { padding: [1, 1] } };
    await checkOp(ctx.rt, 'conv2d_backward_weight', [c.x, outShape(c)], { attrs: { ...c.attrs, kernelSize: [3, 3] }, rtol: 1e-5, atol: 2e-4 });
  });
});

describe('conv2d backward-weight as unfold + matmul', () => {
  it('is used for one group with C*kH*kW % 4 == 0, batched or not, and matches the reference', async () => {
    const { conv2dBackwardWeightPlan } = await import('../../src/kernels/conv/backward_weight.js');
    const plan = conv2dBackwardWeightPlan([2, 4, 7, 9], [2, 5, 7, 9], { kernelSize: [3, 3], padding: [1, 1] }, matmulTarget(ctx.rt));
    expect(plan.launches.map((l) => l.entry).slice(0, 2)).toEqual(['conv2d_unfold', 'main']);
    expect(plan.launches).toHaveLength(3); // the sum over the batch
    const cases: ConvCase[] = [
      { x: [2, 4, 7, 9], w: [5, 4, 3, 3], attrs: { padding: [1, 1] } },
      { x: [1, 4, 11, 9], w: [6, 4, 3, 3], attrs: { stride: [2, 2], padding: [1, 1] } },
      { x: [3, 8, 5, 6], w: [3, 8, 1, 1], attrs: {} },
      { x: [1, 4, 12, 10], w: [4, 4, 3, 3], attrs: { dilation: [2, 2], padding: [2, 0, 1, 3] } },
    ];
    for (const c of cases) {
      await checkOp(ctx.rt, 'conv2d_backward_weight', [c.x, outShape(c)], { attrs: { ...c.attrs, kernelSize: c.w.slice(2) }, ...TOL });
    }
  });
});

describe('conv_transpose2d against the float64 reference', () => {
  const cases: ConvCase[] = [
    { x: [1, 1, 1, 1], w: [1, 1, 1, 1], attrs: {} },
    { x: [2, 4, 5, 3], w: [4, 3, 3, 3], attrs: { stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] } },
    { x: [1, 6, 4, 4], w: [6, 2, 2, 2], attrs: { stride: [2, 2], groups: 3 } },
    { x: [1, 3, 5, 6], w: [3, 5, 3, 2], attrs: { dilation: [2, 1], padding: [1, 0, 2, 1], stride: [1, 3], outputPadding: [0, 2] } },
  ];
  it('every config, with and without bias + relu', async () => {
    for (const c of cases) {
      await checkOp(ctx.rt, 'conv_transpose2d', [c.x, c.w], { attrs: c.attrs, ...TOL });
      const cOut = c.w[1]! * ((c.attrs.groups as number | undefined) ?? 1);
      await checkOp(ctx.rt, 'conv_transpose2d', [c.x, c.w, [cOut]], { attrs: { ...c.attrs, activation: 'relu' }, ...TOL });
    }
  });
});
