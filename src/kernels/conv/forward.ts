/**
 * conv2d forward: y = act(conv(x, w) + bias), NCHW x OIHW, as implicit GEMM (shaders/conv2d*.wgsl).
 *
 * Activation layout (issue #4): NCHW, PyTorch's, so checkpoints, the golden tests and every other
 * vision kernel (norms, pooling, resize, pyramid fusion, shape ops) need no conversion. It was measured
 * against NHWC, not assumed: `npm run bench -- --suite layout` (bench/results/layout.json) times this
 * forward against an NHWC implicit-GEMM kernel written for the same adapter class (nhwc.ts,
 * shaders/conv2d_nhwc.wgsl: Cin contiguous, so one per-lane vec4 load gives 4 values of K), both
 * against TF.js's NHWC conv2d. On lavapipe (2 cores) NHWC is clearly faster on the 3x3 shapes: over
 * seven runs on a shared machine, 1.26-1.66x (median 1.38x) on 3x3 64->64 at 128x128 and 1.46-2.57x
 * (median 1.91x) on 3x3 stride 2 32->64 at 256x256, where this kernel's stride-2 row windows are the
 * weak spot; the 1x1 case, a matmul either way, 0.83-1.38x (median 1.17x) against the matmul route.
 * Part of the gap is the register tile rather than the layout: this kernel with 32 instead of 16 output
 * channels per invocation measured 1.05-1.2x faster on the first shape and 1.55-1.65x on the stride-2
 * one in scratch sweeps, leaving NHWC 1.2-1.5x ahead. The engine stays NCHW for now: the cheap next
 * step is that retile; switching inside to NHWC (transposing at the model's edges) would also need
 * NHWC backward kernels and pays only if convs dominate the training step on CPU adapters.
 */
import { renameSlots, runPlan, type KernelLaunch, type KernelPlan } from '../launch.js';
import { matmulKernelPlan, matmulTarget } from '../matmul/matmul.js';
import type { MatmulTarget } from '../matmul/select.js';
import { ACTIVATIONS, activationRef, type Activation, type HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import type { Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { checkBindable, convGeometry, convUniforms, GUARANTEED_BINDING_BYTES, type Conv2dAttrs, type ConvGeometry } from './geometry.js';
import { chooseConvForward, prefersIm2col, type ConvAlgorithm } from './select.js';

export interface Conv2dOptions extends Conv2dAttrs {
  activation?: Activation;
  /** Pin a kernel instead of letting select.ts choose (tests, benchmarks). */
  algorithm?: ConvAlgorithm;
}

/** The kernel plan of conv2d with inputs in0 = x, in1 = weight and, when `biasShape` is given, in2 = bias. */
export function conv2dPlan(target: MatmulTarget, xShape: Shape, wShape: Shape, options: Conv2dOptions & { biasShape?: Shape } = {}): KernelPlan {
  const g = convGeometry('conv2d', xShape, wShape, options, options.biasShape);
  const outShape = [g.n, g.o, g.outH, g.outW];
  checkBindable('conv2d', { x: xShape, weight: wShape, output: outShape });
  const hasBias = !!options.biasShape;
  if (!options.algorithm && isPointwise(g)) return pointwisePlan(target, g, options);
  const im2col = options.algorithm === 'im2col' ? g.groups === 1 : !options.algorithm && prefersIm2col(target, g, GUARANTEED_BINDING_BYTES);
  if (im2col) return im2colPlan(target, g, options);
  const choice = chooseConvForward(target, g, options.algorithm);
  return {
    out: { shape: outShape, dtype: 'f32' },
    temps: [],
    launches: [
      {
        shader: choice.shader,
        entry: choice.entry,
        overrides: { ...choice.overrides, HAS_BIAS: hasBias, ACT: ACTIVATIONS[options.activation ?? 'none'] },
        uniforms: { ...convUniforms(g), blocks: Math.ceil(g.groupO / choice.channels), rows_per_split: 0, weight_size: 0 },
        workgroups: choice.workgroups,
        // An unused bias binding still needs a buffer: bind x again (never read when HAS_BIAS is false).
        bindings: { input: 'in0', weight: 'in1', bias: hasBias ? 'in2' : 'in0', output: 'out' },
      },
    ],
  };
}

/**
 * A 1x1 conv (stride 1, no padding, one group) is a batched matmul: y[n] = W [O, C] @ x[n] [C, H*W], with
 * the bias per row. The matmul kernels are faster than the conv kernels there (1.6x -> ~3x TF.js on
 * 256->64 at 64x64); they read x along pixels as vec4, hence H*W % 4 == 0.
 */
export function isPointwise(g: ConvGeometry): boolean {
  const unit = g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
  const unpadded = g.padTop === 0 && g.padBottom === 0 && g.padLeft === 0 && g.padRight === 0;
  return unit && unpadded && g.groups === 1 && (g.h * g.w) % 4 === 0;
}

function pointwisePlan(target: MatmulTarget, g: ConvGeometry, options: Conv2dOptions & { biasShape?: Shape }): KernelPlan {
  const plan = matmulKernelPlan(target, [g.o, g.c], [g.n, g.c, g.h * g.w], {
    biasShape: options.biasShape,
    biasPerRow: true,
    activation: options.activation,
  });
  // The matmul plan reads A (the weight) from in0 and B (x) from in1; the conv op has them the other way.
  return { out: { shape: [g.n, g.o, g.h, g.w], dtype: 'f32' }, temps: plan.temps, launches: renameSlots(plan.launches, { in0: 'in1', in1: 'in0' }) };
}

/**
 * A conv as unfold + matmul: cols [N, C*kH*kW, pixels] (a temporary; conv2d_unfold_columns), then
 * y[n] = W [O, C*kH*kW] @ cols[n] with the bias per row and the activation in the matmul's epilogue.
 * Costs N*C*kH*kW*pixels floats of memory; chosen for narrow maps (select.ts prefersIm2col).
 */
function im2colPlan(target: MatmulTarget, g: ConvGeometry, options: Conv2dOptions & { biasShape?: Shape }): KernelPlan {
  const pixels = g.outH * g.outW;
  const ck = g.c * g.kH * g.kW;
  checkBindable('conv2d', { cols: [g.n, ck, pixels] });
  const unfold: KernelLaunch = {
    shader: 'conv2d',
    entry: 'conv2d_unfold_columns',
    overrides: { WG_X: 8, WG_Y: 8 },
    uniforms: { ...convUniforms(g), blocks: 0, rows_per_split: 0, weight_size: 0 },
    workgroups: [Math.ceil(g.outW / 8), Math.ceil(g.outH / 8), g.n * g.c],
    bindings: { input: 'in0', output: 'tmp0' },
  };
  const mm = matmulKernelPlan(target, [g.o, ck], [g.n, ck, pixels], {
    biasShape: options.biasShape,
    biasPerRow: true,
    activation: options.activation,
  });
  // The matmul reads A (the weight) from in0 and B from in1; its own temporaries move behind the columns.
  return {
    out: { shape: [g.n, g.o, g.outH, g.outW], dtype: 'f32' },
    temps: [{ shape: [g.n, ck, pixels], dtype: 'f32' }, ...mm.temps],
    launches: [unfold, ...renameSlots(mm.launches, { in0: 'in1', in1: 'tmp0' }, 1)],
    variant: 'im2col',
  };
}

/** y = act(conv2d(x, weight) + bias). */
export async function conv2d(rt: KernelRuntime, x: Tensor, weight: Tensor, options: Conv2dOptions & { bias?: Tensor } = {}): Promise<Tensor> {
  for (const t of [x, weight, ...(options.bias ? [options.bias] : [])]) expectDType('conv2d', t, ['f32']);
  const plan = conv2dPlan(matmulTarget(rt), x.shape, weight.shape, { ...options, biasShape: options.bias?.shape });
  return runPlan(rt, plan, options.bias ? [x, weight, options.bias] : [x, weight], `conv2d(${x.name}, ${weight.name})`);
}

/**
 * Visit every (output element, input element, weight element) triple of a conv: the one loop nest all
 * conv references (forward, both backwards, transposed) share, so they cannot disagree on geometry.
 */
export function forEachConvTap(g: ConvGeometry, visit: (yIndex: number, xIndex: number, wIndex: number) => void): void {
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.o; o++) {
      const grp = Math.floor(o / g.groupO);
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          const yIndex = ((n * g.o + o) * g.outH + oh) * g.outW + ow;
          for (let c = 0; c < g.groupC; c++) {
            const ci = grp * g.groupC + c;
            for (let kh = 0; kh < g.kH; kh++) {
              const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kW; kw++) {
                const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                if (iw < 0 || iw >= g.w) continue;
                visit(yIndex, ((n * g.c + ci) * g.h + ih) * g.w + iw, ((o * g.groupC + c) * g.kH + kh) * g.kW + kw);
              }
            }
          }
        }
      }
    }
  }
}

/** CPU reference of conv2d() (float64). */
export function conv2dReference(x: HostTensor, weight: HostTensor, options: Conv2dOptions & { bias?: HostTensor } = {}): HostTensor {
  const g = convGeometry('conv2d', x.shape, weight.shape, options, options.bias?.shape);
  const out = new Float64Array(g.n * g.o * g.outH * g.outW);
  forEachConvTap(g, (yi, xi, wi) => (out[yi]! += x.data[xi]! * weight.data[wi]!));
  const plane = g.outH * g.outW;
  for (let i = 0; i < out.length; i++) {
    const b = options.bias ? options.bias.data[Math.floor(i / plane) % g.o]! : 0;
    out[i] = activationRef(options.activation ?? 'none', out[i]! + b);
  }
  return { shape: [g.n, g.o, g.outH, g.outW], data: out };
}
