/**
 * conv2d backward-data: dx = conv2d's input gradient from dy and the weight. conv_transpose2d is the same
 * sum (its input plays dy), so it runs this kernel too, with a bias and activation epilogue.
 */
import { ShapeError } from '../../errors.js';
import { renameSlots, runPlan, type KernelLaunch, type KernelPlan } from '../launch.js';
import { matmulTarget } from '../matmul/matmul.js';
import type { MatmulTarget } from '../matmul/select.js';
import { ACTIVATIONS, activationRef, type Activation, type HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { conv2dPlan, forEachConvTap } from './forward.js';
import { checkBindable, convGeometry, convUniforms, type Conv2dAttrs, type ConvGeometry } from './geometry.js';

const WG = 8;
const MAX_GRID = 65535;

export interface BackwardDataOptions extends Conv2dAttrs {
  /** Per-channel bias of dx (conv_transpose2d only). */
  biasShape?: Shape;
  activation?: Activation;
}

/** Geometry of the forward conv whose input gradient this is; checks dy against it. */
export function backwardDataGeometry(op: string, dyShape: Shape, wShape: Shape, inputShape: Shape, attrs: Conv2dAttrs): ConvGeometry {
  if (!Array.isArray(inputShape) || inputShape.length !== 4) {
    throw new ShapeError(`${op}: inputShape must be the 4-D shape [N, C, H, W] of dx, got ${JSON.stringify(inputShape)}`);
  }
  const g = convGeometry(op, inputShape, wShape, attrs);
  const want = [g.n, g.o, g.outH, g.outW];
  if (dyShape.length !== 4 || want.some((d, i) => d !== dyShape[i])) {
    throw new ShapeError(`${op}: dy must have shape ${formatShape(want)} (the conv of ${formatShape(inputShape)}), got ${formatShape(dyShape)}`);
  }
  return g;
}

/** The kernel plan of the backward-data sum: in0 = dy, in1 = weight, and in2 = bias when `biasShape` is given. */
export function backwardDataPlanFor(
  op: string,
  g: ConvGeometry,
  options: Pick<BackwardDataOptions, 'biasShape' | 'activation'> = {},
  target?: MatmulTarget,
): KernelPlan {
  const dxShape = [g.n, g.c, g.h, g.w];
  checkBindable(op, { dy: [g.n, g.o, g.outH, g.outW], weight: [g.o, g.groupC, g.kH, g.kW], output: dxShape });
  const blocks = Math.ceil(g.groupC / 4);
  const z = g.n * g.groups * blocks;
  if (z > MAX_GRID) throw new ShapeError(`${op}: N * groups * ceil(C/groups/4) = ${z} exceeds ${MAX_GRID} workgroups; use a smaller batch`);
  const hasBias = !!options.biasShape;
  if (hasBias && (options.biasShape!.length !== 1 || options.biasShape![0] !== g.c)) {
    throw new ShapeError(`${op}: bias must have shape [${g.c}], got ${formatShape(options.biasShape!)}`);
  }
  if (target && viaForward(g)) return flippedForwardPlan(target, g, options);
  return {
    out: { shape: dxShape, dtype: 'f32' },
    temps: [],
    launches: [
      {
        shader: 'conv2d',
        entry: 'conv2d_backward_data',
        overrides: { WG_X: WG, WG_Y: WG, HAS_BIAS: hasBias, ACT: ACTIVATIONS[options.activation ?? 'none'] },
        uniforms: { ...convUniforms(g), blocks, rows_per_split: 0, weight_size: 0 },
        workgroups: [Math.ceil(g.w / WG), Math.ceil(g.h / WG), z],
        bindings: { grad_out: 'in0', weight: 'in1', bias: hasBias ? 'in2' : 'in0', output: 'out' },
      },
    ],
  };
}

/**
 * Stride 1 with padding at most the dilated kernel's reach: dx = conv2d(dy, flipped w) with padding
 * dil*(k-1) - pad, which runs on the register-tiled forward kernels (2-3x the direct sum on lavapipe).
 */
function viaForward(g: ConvGeometry): boolean {
  const reachH = g.dilationH * (g.kH - 1);
  const reachW = g.dilationW * (g.kW - 1);
  return g.strideH === 1 && g.strideW === 1 && Math.max(g.padTop, g.padBottom) <= reachH && Math.max(g.padLeft, g.padRight) <= reachW;
}

function flippedForwardPlan(target: MatmulTarget, g: ConvGeometry, options: Pick<BackwardDataOptions, 'biasShape' | 'activation'>): KernelPlan {
  const flippedShape = [g.c, g.groupO, g.kH, g.kW];
  const weightSize = g.o * g.groupC * g.kH * g.kW;
  const reachH = g.dilationH * (g.kH - 1);
  const reachW = g.dilationW * (g.kW - 1);
  const forward = conv2dPlan(target, [g.n, g.o, g.outH, g.outW], flippedShape, {
    padding: [reachH - g.padTop, reachH - g.padBottom, reachW - g.padLeft, reachW - g.padRight],
    dilation: [g.dilationH, g.dilationW],
    groups: g.groups,
    activation: options.activation,
    biasShape: options.biasShape,
  });
  const flip: KernelLaunch = {
    shader: 'conv2d',
    entry: 'conv2d_flip_weight',
    overrides: { WG_X: 64, WG_Y: 1 },
    uniforms: { ...convUniforms(g), blocks: 0, rows_per_split: 0, weight_size: weightSize },
    workgroups: grid1d(Math.ceil(weightSize / 64)),
    bindings: { weight: 'in1', output: 'tmp0' },
  };
  // The forward plan reads the weight from in1: point it at the flipped copy in tmp0, and move the
  // forward plan's own temporaries one slot up.
  return {
    out: forward.out,
    temps: [{ shape: flippedShape, dtype: 'f32' }, ...forward.temps],
    launches: [flip, ...renameSlots(forward.launches, { in1: 'tmp0' }, 1)],
  };
}

/** The kernel plan of conv2d_backward_data: dx of shape `inputShape` from dy (in0) and the weight (in1). */
export function conv2dBackwardDataPlan(dyShape: Shape, wShape: Shape, inputShape: Shape, attrs: Conv2dAttrs, target?: MatmulTarget): KernelPlan {
  const op = 'conv2d_backward_data';
  return backwardDataPlanFor(op, backwardDataGeometry(op, dyShape, wShape, inputShape, attrs), {}, target);
}

/** dx of conv2d(x, weight) for x of shape `inputShape`, given dy. */
export async function conv2dBackwardData(rt: KernelRuntime, dy: Tensor, weight: Tensor, inputShape: Shape, attrs: Conv2dAttrs = {}): Promise<Tensor> {
  expectDType('conv2d_backward_data', dy, ['f32']);
  expectDType('conv2d_backward_data', weight, ['f32']);
  return runPlan(rt, conv2dBackwardDataPlan(dy.shape, weight.shape, inputShape, attrs, matmulTarget(rt)), [dy, weight], `conv2d_backward_data(${dy.name})`);
}

/** CPU reference of the backward-data sum for a geometry (float64), with the optional bias + activation. */
export function backwardDataReferenceFor(g: ConvGeometry, dy: HostTensor, weight: HostTensor, options: { bias?: HostTensor; activation?: Activation } = {}): HostTensor {
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  forEachConvTap(g, (yi, xi, wi) => (dx[xi]! += dy.data[yi]! * weight.data[wi]!));
  const plane = g.h * g.w;
  for (let i = 0; i < dx.length; i++) {
    const b = options.bias ? options.bias.data[Math.floor(i / plane) % g.c]! : 0;
    dx[i] = activationRef(options.activation ?? 'none', dx[i]! + b);
  }
  return { shape: [g.n, g.c, g.h, g.w], data: dx };
}

/** CPU reference of conv2dBackwardData() (float64). */
export function conv2dBackwardDataReference(dy: HostTensor, weight: HostTensor, inputShape: Shape, attrs: Conv2dAttrs = {}): HostTensor {
  return backwardDataReferenceFor(backwardDataGeometry('conv2d_backward_data', dy.shape, weight.shape, inputShape, attrs), dy, weight);
}
