/**
 * conv_transpose2d (PyTorch semantics, weight [C_in, C_out/groups, kH, kW]): the adjoint of conv2d, so it
 * is conv2d's backward-data sum with x in the place of dy; it runs that kernel, plus a bias + activation.
 */
import { ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan } from '../launch.js';
import type { Activation, HostTensor } from '../reference.js';
import { matmulTarget } from '../matmul/matmul.js';
import type { MatmulTarget } from '../matmul/select.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { backwardDataGeometry, backwardDataPlanFor, backwardDataReferenceFor } from './backward_data.js';
import { convParams, type Conv2dAttrs, type ConvGeometry } from './geometry.js';

export interface ConvTranspose2dOptions extends Conv2dAttrs {
  /** Extra rows/columns at the bottom/right of the output: [oh, ow] or one number, each < stride. */
  outputPadding?: number | readonly number[];
  activation?: Activation;
}

const OP = 'conv_transpose2d';

/** The geometry of the conv2d whose backward-data is this transposed conv (its "input" is our output). */
export function convTransposeGeometry(xShape: Shape, wShape: Shape, options: ConvTranspose2dOptions): ConvGeometry {
  const where = `${OP}(x ${formatShape(xShape)}, weight ${formatShape(wShape)})`;
  if (xShape.length !== 4) throw new ShapeError(`${where}: x must be 4-D [N, C_in, H, W], got rank ${xShape.length}`);
  if (wShape.length !== 4) throw new ShapeError(`${where}: weight must be 4-D [C_in, C_out/groups, kH, kW], got rank ${wShape.length}`);
  const p = convParams(OP, options);
  const op = options.outputPadding ?? 0;
  const [oph, opw] = typeof op === 'number' ? [op, op] : [op[0]!, op[1]!];
  if (!(oph >= 0 && oph < p.strideH && opw >= 0 && opw < p.strideW)) {
    throw new ShapeError(`${where}: outputPadding [${oph}, ${opw}] must be >= 0 and below the stride [${p.strideH}, ${p.strideW}]`);
  }
  const [n, cIn, h, w] = xShape as [number, number, number, number];
  const [wIn, wOut, kH, kW] = wShape as [number, number, number, number];
  if (wIn !== cIn) throw new ShapeError(`${where}: weight dim 0 must equal the input channels ${cIn}, got ${wIn}`);
  if (cIn % p.groups !== 0) throw new ShapeError(`${where}: groups=${p.groups} must divide the input channels (${cIn})`);
  const outH = (h - 1) * p.strideH - p.padTop - p.padBottom + p.dilationH * (kH - 1) + oph + 1;
  const outW = (w - 1) * p.strideW - p.padLeft - p.padRight + p.dilationW * (kW - 1) + opw + 1;
  if (outH < 1 || outW < 1) {
    throw new ShapeError(`${where}: the padding [${p.padTop}, ${p.padBottom}, ${p.padLeft}, ${p.padRight}] leaves an empty output (${outH}x${outW})`);
  }
  return backwardDataGeometry(OP, xShape, wShape, [n, wOut * p.groups, outH, outW], options);
}

/** The kernel plan of conv_transpose2d: in0 = x, in1 = weight and, when `biasShape` is given, in2 = bias. */
export function convTranspose2dPlan(
  xShape: Shape,
  wShape: Shape,
  options: ConvTranspose2dOptions & { biasShape?: Shape } = {},
  target?: MatmulTarget,
): KernelPlan {
  return backwardDataPlanFor(OP, convTransposeGeometry(xShape, wShape, options), options, target);
}

/** y = act(conv_transpose2d(x, weight) + bias). */
export async function convTranspose2d(rt: KernelRuntime, x: Tensor, weight: Tensor, options: ConvTranspose2dOptions & { bias?: Tensor } = {}): Promise<Tensor> {
  for (const t of [x, weight, ...(options.bias ? [options.bias] : [])]) expectDType(OP, t, ['f32']);
  const plan = convTranspose2dPlan(x.shape, weight.shape, { ...options, biasShape: options.bias?.shape }, matmulTarget(rt));
  return runPlan(rt, plan, options.bias ? [x, weight, options.bias] : [x, weight], `${OP}(${x.name}, ${weight.name})`);
}

/** CPU reference of convTranspose2d() (float64). */
export function convTranspose2dReference(x: HostTensor, weight: HostTensor, options: ConvTranspose2dOptions & { bias?: HostTensor } = {}): HostTensor {
  return backwardDataReferenceFor(convTransposeGeometry(x.shape, weight.shape, options), x, weight, options);
}
