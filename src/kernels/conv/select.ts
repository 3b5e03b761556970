/**
 * Which conv forward kernel and tiling to run for a geometry on an adapter: the one place that choice
 * is made. Measurements: bench/kernels/conv.bench.ts (`npm run bench -- --suite vision --filter conv`).
 */
import { ShapeError } from '../../errors.js';
import { subgroupsOf8, type MatmulTarget } from '../matmul/select.js';
import type { Overrides } from '../runtime.js';
import type { ShaderName } from '../shaders.js';
import type { ConvGeometry } from './geometry.js';

/**
 * 'subgroup': 16 channels x 8 pixels per invocation with shared weight loads; 'portable': 4 x 4, any
 * adapter; 'depthwise': 1 channel x 8 pixels, for one input and one output channel per group (x 16 rows,
 * sharing row segments across the subgroup, for 3x3 stride 1 on 8-lane adapters); 'im2col': unfold the
 * input into columns, then one matmul (forward.ts).
 */
export type ConvAlgorithm = 'subgroup' | 'portable' | 'depthwise' | 'im2col';

export interface ConvForwardChoice {
  algorithm: ConvAlgorithm;
  shader: ShaderName;
  entry:
    | 'conv2d_forward'
    | 'conv2d_forward_window'
    | 'conv2d_depthwise'
    | 'conv2d_depthwise_fixed'
    | 'conv2d_depthwise_rows2'
    | 'conv2d_depthwise_rolling';
  overrides: Overrides;
  /** Output channels per invocation (the `blocks` uniform counts blocks of this many). */
  channels: number;
  workgroups: [number, number, number];
}

const MAX_GRID = 65535;

/** Output rows per invocation of conv2d_depthwise_rolling (8 measured ~20% slower; 32 and 64 ~3% faster, 2-4x fewer invocations). */
const ROLLING_ROWS = 16;

/** The subgroup depthwise kernel's case: 3x3, stride 1, dilation 1, one pixel of left padding. */
function rollingDepthwise(g: ConvGeometry): boolean {
  const unit = g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
  return g.kH === 3 && g.kW === 3 && unit && g.padLeft === 1;
}

/**
 * Whether the forward conv should run as unfold + matmul rather than a direct kernel. On 8-lane CPU
 * adapters the subgroup kernel gives each subgroup a 64-pixel row segment, so maps narrower than 64 leave
 * lanes idle (7 of 8 at width 8): there the matmul kernels, which tile channels x pixels of the whole map,
 * measured 2-10x faster on the tiny model's 32x32 to 4x4 maps (bench/kernels/conv.bench.ts). Needs one
 * group, pixels % 4 == 0 (the vec4 matmul kernels read columns along pixels) and columns that fit a binding.
 */
export function prefersIm2col(target: MatmulTarget, g: ConvGeometry, bindingBytes: number): boolean {
  const pixels = g.outH * g.outW;
  const colsBytes = g.n * g.c * g.kH * g.kW * pixels * 4;
  return subgroupsOf8(target) && g.groups === 1 && g.outW < 64 && pixels % 4 === 0 && colsBytes <= bindingBytes;
}

/**
 * The forward conv kernel for this geometry on this target. The subgroup kernel where 8-lane subgroups
 * exist and a group has enough output channels to fill its 16-channel blocks; otherwise (depthwise,
 * few channels, GPUs) the portable one. A pinned algorithm that cannot run falls back to portable.
 */
export function chooseConvForward(target: MatmulTarget, g: ConvGeometry, pinned?: ConvAlgorithm): ConvForwardChoice {
  const depthwiseOk = g.groupC === 1 && g.groupO === 1;
  if (depthwiseOk && (pinned === undefined || pinned === 'depthwise')) {
    // Depthwise measured 0.6x TF.js through the portable kernel's 4-channel blocks (3 of 4 idle).
    const z = g.n * g.groups;
    if (z > MAX_GRID) throw new ShapeError(`conv2d: N * channels = ${z} exceeds ${MAX_GRID} workgroups; use a smaller batch`);
    if (subgroupsOf8(target) && rollingDepthwise(g)) {
      // 1x128x64x64: 2.6 ms (rows2 below) -> 1.5 ms, 1.9x -> 3.4x TF.js (bench/results/vision.json).
      const rows = Math.min(ROLLING_ROWS, g.outH);
      const wgY = Math.min(4, Math.ceil(g.outH / rows));
      return {
        algorithm: 'depthwise',
        shader: 'conv2d_subgroup',
        entry: 'conv2d_depthwise_rolling',
        overrides: { WG_X: 8, WG_Y: wgY, DW_ROWS: rows },
        channels: 1,
        // x: one subgroup (8 invocations) per 64-pixel row segment.
        workgroups: [Math.ceil(g.outW / 64), Math.ceil(g.outH / rows / wgY), z],
      };
    }
    // The row segment 8 pixels need must fit the fixed kernel's 32-value window.
    const span = 7 * g.strideW + (g.kW - 1) * g.dilationW + 1;
    const fixed = span <= 32;
    // Stride 1 and dilation 1 along H: two output rows share all but one input row.
    const rows2 = fixed && g.strideH === 1 && g.dilationH === 1;
    return {
      algorithm: 'depthwise',
      shader: 'conv2d',
      entry: rows2 ? 'conv2d_depthwise_rows2' : fixed ? 'conv2d_depthwise_fixed' : 'conv2d_depthwise',
      overrides: fixed ? { WG_X: 8, WG_Y: 8, DW_KW: g.kW, DW_SW: g.strideW, DW_DIL: g.dilationW } : { WG_X: 8, WG_Y: 8 },
      channels: 1,
      workgroups: [Math.ceil(Math.ceil(g.outW / 8) / 8), Math.ceil(g.outH / (rows2 ? 2 : 1) / 8), z],
    };
  }
  if (pinned === 'depthwise' || pinned === 'im2col') pinned = 'portable';
  const subgroupOk = subgroupsOf8(target);
  const algorithm: ConvAlgorithm = pinned ? (pinned === 'subgroup' && subgroupOk ? 'subgroup' : 'portable') : subgroupOk && g.groupO >= 12 ? 'subgroup' : 'portable';
  const [channels, pixels, wgX, wgY] = algorithm === 'subgroup' ? [16, 8, 8, 8] : [4, 4, 8, 8];
  // The subgroup kernel's windowed entry loads each input row segment once per (channel, kernel row).
  const span = 7 * g.strideW + (g.kW - 1) * g.dilationW + 1;
  const windowed = algorithm === 'subgroup' && span <= 32;
  const z = g.n * g.groups * Math.ceil(g.groupO / channels);
  if (z > MAX_GRID) {
    throw new ShapeError(`conv2d: N * groups * ceil(O/groups/${channels}) = ${z} exceeds ${MAX_GRID} workgroups; use a smaller batch`);
  }
  return {
    algorithm,
    shader: algorithm === 'subgroup' ? 'conv2d_subgroup' : 'conv2d',
    entry: windowed ? 'conv2d_forward_window' : 'conv2d_forward',
    overrides: windowed ? { WG_X: wgX, WG_Y: wgY, CW_KW: g.kW, CW_SW: g.strideW, CW_DIL: g.dilationW, CW_SPAN: span } : { WG_X: wgX, WG_Y: wgY },
    channels,
    workgroups: [Math.ceil(Math.ceil(g.outW / pixels) / wgX), Math.ceil(g.outH / wgY), z],
  };
}
