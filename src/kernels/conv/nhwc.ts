/**
 * conv2d forward with NHWC activations (x [N, H, W, Cin] -> y [N, OH, OW, Cout]) and HWIO weights
 * ([kH, kW, Cin, Cout], TF.js's layout): the layout experiment of issue #4, measured against our NCHW
 * kernels and TF.js by bench/kernels/layout.bench.ts (the decision is at the top of forward.ts). Not in
 * the op table or the graph: the engine stays NCHW. One kernel, shaders/conv2d_nhwc.wgsl, for 8-lane
 * subgroup adapters (lavapipe) only.
 */
import { DeviceError, ShapeError } from '../../errors.js';
import { runPlan, type KernelPlan } from '../launch.js';
import { matmulTarget } from '../matmul/matmul.js';
import { subgroupsOf8, type MatmulTarget } from '../matmul/select.js';
import { ACTIVATIONS, activationRef, type Activation, type HostTensor } from '../reference.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { checkBindable, convOutSize, convParams, convUniforms, type Conv2dAttrs, type ConvGeometry } from './geometry.js';

/** Output pixels and output channels one invocation of conv2d_nhwc.wgsl owns; 8 lanes share the pixels. */
const PIXELS_PER_INVOCATION = 40;
const CHANNELS_PER_SUBGROUP = 64;
const WG_Y = 4;

export interface Conv2dNhwcOptions extends Omit<Conv2dAttrs, 'groups'> {
  activation?: Activation;
}

/**
 * Check x [N, H, W, Cin] against weight [kH, kW, Cin, Cout] (and bias [Cout]) and work out the output
 * size; throws a ShapeError naming the op and the numbers. The geometry is the NCHW one with the same sizes.
 */
export function nhwcGeometry(xShape: Shape, wShape: Shape, attrs: Conv2dNhwcOptions, biasShape?: Shape): ConvGeometry {
  const op = 'conv2d_nhwc';
  const p = convParams(op, attrs);
  const where = `${op}(x ${formatShape(xShape)}, weight ${formatShape(wShape)})`;
  if (xShape.length !== 4) throw new ShapeError(`${where}: x must be 4-D [N, H, W, Cin], got rank ${xShape.length}`);
  if (wShape.length !== 4) throw new ShapeError(`${where}: weight must be 4-D HWIO [kH, kW, Cin, Cout], got rank ${wShape.length}`);
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [kH, kW, wc, o] = wShape as [number, number, number, number];
  if (wc !== c) throw new ShapeError(`${where}: weight dim 2 must be Cin = ${c}, got ${wc}`);
  if (kH < 1 || kW < 1 || o < 1 || c < 1) throw new ShapeError(`${where}: channels and kernel sizes must be >= 1`);
  if (c % 4 !== 0 || o % 4 !== 0) {
    throw new ShapeError(`${where}: the NHWC kernel reads and writes channels as vec4, so Cin (${c}) and Cout (${o}) must be multiples of 4; pad the channels`);
  }
  const outH = convOutSize(h, kH, p.strideH, p.padTop, p.padBottom, p.dilationH);
  const outW = convOutSize(w, kW, p.strideW, p.padLeft, p.padRight, p.dilationW);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${where}: the dilated kernel (${(kH - 1) * p.dilationH + 1}x${(kW - 1) * p.dilationW + 1}) is larger than the padded input ` +
        `(${h + p.padTop + p.padBottom}x${w + p.padLeft + p.padRight}); use a smaller kernel or more padding`,
    );
  }
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== o)) {
    throw new ShapeError(`${where}: bias must have shape [${o}], got ${formatShape(biasShape)}`);
  }
  return { ...p, n, c, h, w, o, kH, kW, outH, outW, groupC: c, groupO: o };
}

/** The kernel plan of conv2dNhwc with inputs in0 = x, in1 = weight and, when `biasShape` is given, in2 = bias. */
export function conv2dNhwcPlan(target: MatmulTarget, xShape: Shape, wShape: Shape, options: Conv2dNhwcOptions & { biasShape?: Shape } = {}): KernelPlan {
  const g = nhwcGeometry(xShape, wShape, options, options.biasShape);
  const outShape = [g.n, g.outH, g.outW, g.o];
  checkBindable('conv2d_nhwc', { x: xShape, weight: wShape, output: outShape });
  if (!subgroupsOf8(target)) {
    throw new DeviceError('conv2d_nhwc: the NHWC layout experiment runs only on adapters with 8-lane subgroups (lavapipe); use conv2d (NCHW)');
  }
  const blocks = Math.ceil((g.n * g.outH * g.outW) / PIXELS_PER_INVOCATION);
  const [gx, gy] = grid1d(Math.ceil(blocks / WG_Y));
  const hasBias = !!options.biasShape;
  return {
    out: { shape: outShape, dtype: 'f32' },
    temps: [],
    launches: [
      {
        shader: 'conv2d_nhwc',
        entry: 'conv2d_nhwc_forward',
        overrides: { WG_X: 8, WG_Y, HAS_BIAS: hasBias, ACT: ACTIVATIONS[options.activation ?? 'none'] },
        uniforms: { ...convUniforms(g), blocks: 0, rows_per_split: 0, weight_size: 0 },
        workgroups: [gx, gy, Math.ceil(g.o / CHANNELS_PER_SUBGROUP)],
        // An unused bias binding still needs a buffer: bind x again (never read when HAS_BIAS is false).
        bindings: { src_nhwc: 'in0', filter_hwio: 'in1', bias_o: hasBias ? 'in2' : 'in0', dst_nhwc: 'out' },
      },
    ],
  };
}

/** y = act(conv2d(x, weight) + bias) with x NHWC and weight HWIO; y is NHWC. */
export async function conv2dNhwc(rt: KernelRuntime, x: Tensor, weight: Tensor, options: Conv2dNhwcOptions & { bias?: Tensor } = {}): Promise<Tensor> {
  for (const t of [x, weight, ...(options.bias ? [options.bias] : [])]) expectDType('conv2d_nhwc', t, ['f32']);
  const plan = conv2dNhwcPlan(matmulTarget(rt), x.shape, weight.shape, { ...options, biasShape: options.bias?.shape });
  return runPlan(rt, plan, options.bias ? [x, weight, options.bias] : [x, weight], `conv2d_nhwc(${x.name}, ${weight.name})`);
}

/** CPU reference of conv2dNhwc() (float64). */
export function conv2dNhwcReference(x: HostTensor, weight: HostTensor, options: Conv2dNhwcOptions & { bias?: HostTensor } = {}): HostTensor {
  const g = nhwcGeometry(x.shape, weight.shape, options, options.bias?.shape);
  const out = new Float64Array(g.n * g.outH * g.outW * g.o);
  const acc = new Float64Array(g.o);
  for (let n = 0; n < g.n; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        acc.fill(0);
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw < 0 || iw >= g.w) continue;
            for (let c = 0; c < g.c; c++) {
              const xv = x.data[((n * g.h + ih) * g.w + iw) * g.c + c]!;
              const wRow = ((kh * g.kW + kw) * g.c + c) * g.o;
              for (let o = 0; o < g.o; o++) acc[o]! += xv * weight.data[wRow + o]!;
            }
          }
        }
        const yRow = ((n * g.outH + oh) * g.outW + ow) * g.o;
        for (let o = 0; o < g.o; o++) out[yRow + o] = activationRef(options.activation ?? 'none', acc[o]! + (options.bias?.data[o] ?? 0));
      }
    }
  }
  return { shape: [g.n, g.outH, g.outW, g.o], data: out };
}
