/**
 * Conv2d geometry: attribute normalisation (stride, padding, dilation, groups), output sizes and the
 * shape checks every conv kernel shares. Activations are NCHW and weights OIHW, as in PyTorch, so
 * checkpoints and the rest of the model need no layout conversion; in NCHW an output row is contiguous,
 * so the kernels' per-lane pixel runs load and store along it. The NCHW-vs-NHWC measurement: forward.ts.
 */
import { ShapeError } from '../../errors.js';
import { formatShape, sizeOf, type Shape } from '../shape.js';

/** What a conv call takes besides its tensors; every field accepts the PyTorch shorthand (one number). */
export interface Conv2dAttrs {
  stride?: number | readonly number[];
  /** [ph, pw] (both sides), [top, bottom, left, right], or one number. */
  padding?: number | readonly number[];
  dilation?: number | readonly number[];
  groups?: number;
}

/** Attributes with every shorthand expanded. */
export interface ConvParams {
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Sizes of one conv2d: x [n, c, h, w] * weight [o, c/groups, kH, kW] -> y [n, o, outH, outW]. */
export interface ConvGeometry extends ConvParams {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kH: number;
  kW: number;
  outH: number;
  outW: number;
  /** Input and output channels per group. */
  groupC: number;
  groupO: number;
}

/**
 * Every device binds at least 128 MiB per storage buffer (the WebGPU default limit). Graphs are built
 * before a device is known, so shape checks use this guaranteed size.
 */
export const GUARANTEED_BINDING_BYTES = 134217728;

function pair(op: string, name: string, v: number | readonly number[] | undefined, fallback: number): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || p.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(`${op}: ${name} must be one integer or two [h, w], got ${JSON.stringify(v)}`);
  }
  return [p[0]!, p[1]!];
}

/** Expand the shorthand attributes and check their ranges. */
export function convParams(op: string, attrs: Conv2dAttrs): ConvParams {
  const [strideH, strideW] = pair(op, 'stride', attrs.stride, 1);
  const [dilationH, dilationW] = pair(op, 'dilation', attrs.dilation, 1);
  const pad = attrs.padding ?? 0;
  const p = typeof pad === 'number' ? [pad, pad, pad, pad] : pad.length === 2 ? [pad[0]!, pad[0]!, pad[1]!, pad[1]!] : [...pad];
  if (p.length !== 4 || p.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: padding must be n, [ph, pw] or [top, bottom, left, right] of integers >= 0, got ${JSON.stringify(pad)}`);
  }
  if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
    throw new ShapeError(`${op}: stride [${strideH}, ${strideW}] and dilation [${dilationH}, ${dilationW}] must be >= 1`);
  }
  const groups = attrs.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ShapeError(`${op}: groups must be an integer >= 1, got ${groups}`);
  return { strideH, strideW, padTop: p[0]!, padBottom: p[1]!, padLeft: p[2]!, padRight: p[3]!, dilationH, dilationW, groups };
}

/** Output length of one spatial axis of a conv, or <= 0 when the dilated kernel is larger than the padded input. */
export function convOutSize(size: number, k: number, stride: number, padBefore: number, padAfter: number, dilation: number): number {
  return Math.floor((size + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1;
}

/**
 * Check x [n, c, h, w] against weight [o, c/groups, kH, kW] (and bias [o]) and work out the output size;
 * throws a ShapeError naming `op` and the numbers.
 */
export function convGeometry(op: string, xShape: Shape, wShape: Shape, attrs: Conv2dAttrs, biasShape?: Shape): ConvGeometry {
  const p = convParams(op, attrs);
  const where = `${op}(x ${formatShape(xShape)}, weight ${formatShape(wShape)})`;
  if (xShape.length !== 4) throw new ShapeError(`${where}: x must be 4-D [N, C, H, W], got rank ${xShape.length}`);
  if (wShape.length !== 4) throw new ShapeError(`${where}: weight must be 4-D [O, C/groups, kH, kW], got rank ${wShape.length}`);
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, wc, kH, kW] = wShape as [number, number, number, number];
  if (c % p.groups !== 0 || o % p.groups !== 0) {
    throw new ShapeError(`${where}: groups=${p.groups} must divide both the input channels (${c}) and the output channels (${o})`);
  }
  if (wc !== c / p.groups) {
    throw new ShapeError(`${where}: weight dim 1 must be C/groups = ${c}/${p.groups} = ${c / p.groups}, got ${wc}`);
  }
  if (kH < 1 || kW < 1 || o < 1 || c < 1) throw new ShapeError(`${where}: channels and kernel sizes must be >= 1`);
  const outH = convOutSize(h, kH, p.strideH, p.padTop, p.padBottom, p.dilationH);
  const outW = convOutSize(w, kW, p.strideW, p.padLeft, p.padRight, p.dilationW);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${where}: the kernel ${kH}x${kW} (dilation ${p.dilationH}x${p.dilationW}, so ${p.dilationH * (kH - 1) + 1}x${p.dilationW * (kW - 1) + 1}) ` +
        `is larger than the padded input ${h + p.padTop + p.padBottom}x${w + p.padLeft + p.padRight}`,
    );
  }
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== o)) {
    throw new ShapeError(`${where}: bias must have shape [${o}], got ${formatShape(biasShape)}`);
  }
  return { ...p, n, c, h, w, o, kH, kW, outH, outW, groupC: c / p.groups, groupO: o / p.groups };
}

/** Throw a ShapeError naming `op` if any of these tensors exceeds the guaranteed binding size. */
export function checkBindable(op: string, tensors: Record<string, Shape>): void {
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = sizeOf(shape) * 4;
    if (bytes > GUARANTEED_BINDING_BYTES) {
      throw new ShapeError(
        `${op}: ${name} ${formatShape(shape)} needs ${bytes} bytes, over the ${GUARANTEED_BINDING_BYTES} bytes every WebGPU ` +
          'device can bind per storage buffer; use a smaller batch or resolution',
      );
    }
  }
}

/** The uniforms every conv shader shares (struct ConvParams in the shaders), for one geometry. */
export function convUniforms(g: ConvGeometry): Record<string, number> {
  return {
    batch: g.n,
    in_c: g.c,
    in_h: g.h,
    in_w: g.w,
    out_c: g.o,
    out_h: g.outH,
    out_w: g.outW,
    group_c: g.groupC,
    group_o: g.groupO,
    k_h: g.kH,
    k_w: g.kW,
    stride_h: g.strideH,
    stride_w: g.strideW,
    pad_top: g.padTop,
    pad_left: g.padLeft,
    dil_h: g.dilationH,
    dil_w: g.dilationW,
  };
}

/** Attributes as the graph stores them (plain JSON), read back with defaults. */
export function attrsOf(a: Record<string, unknown>): Conv2dAttrs {
  return {
    stride: a.stride as Conv2dAttrs['stride'],
    padding: a.padding as Conv2dAttrs['padding'],
    dilation: a.dilation as Conv2dAttrs['dilation'],
    groups: a.groups as number | undefined,
  };
}
