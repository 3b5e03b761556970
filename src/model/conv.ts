/**
 * Convolution building blocks named like PyTorch modules (docs/MODEL.md), so a state dict moves between
 * the graph and the PyTorch mirror unchanged:
 *   - conv2d: nn.Conv2d (`<prefix>.weight` [out, in, k, k], optional `<prefix>.bias` [out]);
 *   - convTranspose2d: nn.ConvTranspose2d (`<prefix>.weight` [in, out, k, k], optional bias);
 *   - groupNorm: nn.GroupNorm (`<prefix>.weight`/`.bias` [channels], 1 and 0 at the start);
 *   - convNormRelu: conv (no bias) `<prefix>.conv`, GN `<prefix>.norm`, ReLU: the unit of the CNN stem
 *     and of the pixel decoder.
 * Initialisation is PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';

export interface ConvOptions {
  /** Square kernel size. */
  kernel: number;
  stride?: number;
  /** Zero padding on every side. */
  padding?: number;
  /** Add a learned bias (default true, as in PyTorch). */
  bias?: boolean;
  /** Fused into the conv kernel's epilogue. */
  activation?: 'none' | 'relu';
}

function channelsOf(what: string, prefix: string, x: SymbolicTensor): number {
  if (x.shape.length !== 4) throw new ShapeError(`${what} '${prefix}': x must be [B, C, H, W], got ${formatShape(x.shape)}`);
  return x.shape[1]!;
}

/** nn.Conv2d(in, outChannels, kernel, stride, padding, bias) on x [B, in, H, W]. */
export function conv2d(g: Graph, prefix: string, x: SymbolicTensor, outChannels: number, options: ConvOptions): SymbolicTensor {
  const { kernel, stride = 1, padding = 0, bias = true, activation = 'none' } = options;
  const inChannels = channelsOf('conv2d', prefix, x);
  const bound = 1 / Math.sqrt(inChannels * kernel * kernel);
  const weight = g.param(`${prefix}.weight`, [outChannels, inChannels, kernel, kernel], { kind: 'uniform', bound });
  const inputs = [x, weight];
  if (bias) inputs.push(g.param(`${prefix}.bias`, [outChannels], { kind: 'uniform', bound }));
  return g.apply('conv2d', inputs, { stride, padding, activation });
}

/** nn.ConvTranspose2d(in, outChannels, kernel, stride, padding, bias) on x [B, in, H, W]. */
export function convTranspose2d(g: Graph, prefix: string, x: SymbolicTensor, outChannels: number, options: ConvOptions): SymbolicTensor {
  const { kernel, stride = 1, padding = 0, bias = true, activation = 'none' } = options;
  const inChannels = channelsOf('convTranspose2d', prefix, x);
  // PyTorch takes fan_in from the weight's dim 1, which for a transposed conv is the *output* channels.
  const bound = 1 / Math.sqrt(outChannels * kernel * kernel);
  const weight = g.param(`${prefix}.weight`, [inChannels, outChannels, kernel, kernel], { kind: 'uniform', bound });
  const inputs = [x, weight];
  if (bias) inputs.push(g.param(`${prefix}.bias`, [outChannels], { kind: 'uniform', bound }));
  return g.apply('conv_transpose2d', inputs, { stride, padding, activation });
}

/** nn.GroupNorm(groups, C) on x [B, C, ...] (eps 1e-5, affine). */
export function groupNorm(g: Graph, prefix: string, x: SymbolicTensor, groups: number, eps = 1e-5): SymbolicTensor {
  const channels = x.shape[1];
  if (x.shape.length < 3 || channels === undefined || !Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new ShapeError(`groupNorm '${prefix}': ${groups} groups must divide the channels of x ${formatShape(x.shape)} (axis 1)`);
  }
  const weight = g.param(`${prefix}.weight`, [channels], { kind: 'ones' });
  const bias = g.param(`${prefix}.bias`, [channels], { kind: 'zeros' });
  return g.apply('group_norm', [x, weight, bias], { groups, eps });
}

/** relu(GN(conv(x))) with a bias-free conv `<prefix>.conv` and the norm `<prefix>.norm`. */
export function convNormRelu(
  g: Graph,
  prefix: string,
  x: SymbolicTensor,
  outChannels: number,
  groups: number,
  options: Omit<ConvOptions, 'bias' | 'activation'>,
): SymbolicTensor {
  const y = conv2d(g, `${prefix}.conv`, x, outChannels, { ...options, bias: false });
  return g.relu(groupNorm(g, `${prefix}.norm`, y, groups));
}
