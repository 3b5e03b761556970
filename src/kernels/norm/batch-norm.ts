/**
 * Batch norm in inference form for imported weights: y = x * scale[c] + shift[c] over x [N, C, *], with
 * scale and shift folded from the running statistics once (foldBatchNorm), so a run is one pass.
 */
import { ShapeError } from '../../errors.js';
import { runPlan, singleLaunch, type KernelPlan } from '../launch.js';
import type { HostTensor } from '../reference.js';
import type { KernelRuntime } from '../runtime.js';
import { formatShape, sizeOf, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';
import { expectChannelVector } from './group-norm.js';

const WORKGROUP_SIZE = 64;
/**
 * Elements per invocation: workgroups are costly to start on lavapipe, so each one walks several strides
 * of its plane rather than one.
 */
const ELEMENTS_PER_INVOCATION = 16;
/** Spatial blocks per (sample, channel); the shader strides over larger planes. */
const MAX_SPATIAL_BLOCKS = 1024;
const MAX_GRID = 65535;

/** The kernel plan of batch_norm_inference(x, scale, shift). */
export function batchNormInferencePlan(x: Shape, scale: Shape, shift: Shape): KernelPlan {
  const op = 'batch_norm_inference';
  if (x.length < 2) throw new ShapeError(`${op}: x must be [N, C, *], got ${formatShape(x)}`);
  const [n, c] = [x[0]!, x[1]!];
  expectChannelVector(op, 'scale', scale, c, x);
  expectChannelVector(op, 'shift', shift, c, x);
  if (n > MAX_GRID || c > MAX_GRID) {
    throw new ShapeError(`${op}: x ${formatShape(x)} has more than ${MAX_GRID} samples or channels; reshape it to fewer`);
  }
  const spatial = sizeOf(x.slice(2));
  // Planes of a multiple of 4 elements run over vec4s: one 16-byte access per invocation, not four.
  const vec4 = spatial % 4 === 0 && spatial > 0;
  const perBlock = WORKGROUP_SIZE * ELEMENTS_PER_INVOCATION * (vec4 ? 4 : 1);
  return singleLaunch(
    { shape: x, dtype: 'f32' },
    {
      shader: 'norm',
      entry: vec4 ? 'batch_norm_inference_vec4' : 'batch_norm_inference',
      overrides: { WORKGROUP_SIZE },
      // The shader reuses the row struct: rows = N, channels_per_group = C.
      uniforms: { rows: n, groups: 1, channels_per_group: c, spatial, eps: 0 },
      workgroups: [Math.min(Math.ceil(spatial / perBlock), MAX_SPATIAL_BLOCKS), c, n],
      bindings: vec4 ? { input4: 'in0', weight: 'in1', bias: 'in2', output4: 'out' } : { input: 'in0', weight: 'in1', bias: 'in2', output: 'out' },
    },
  );
}

/** y = x * scale[c] + shift[c] for x [N, C, *]. */
export async function batchNormInference(rt: KernelRuntime, x: Tensor, scale: Tensor, shift: Tensor): Promise<Tensor> {
  const plan = batchNormInferencePlan(x.shape, scale.shape, shift.shape);
  for (const t of [x, scale, shift]) expectDType('batch_norm_inference', t, ['f32']);
  return runPlan(rt, plan, [x, scale, shift], `batch_norm_inference(${x.name})`);
}

/**
 * Fold BatchNorm's running statistics and affine into one scale and shift per channel:
 * scale = weight / sqrt(var + eps), shift = bias - mean * scale (computed in float64).
 */
export function foldBatchNorm(
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  eps = 1e-5,
): { scale: Float32Array; shift: Float32Array } {
  const c = runningMean.length;
  if (runningVar.length !== c || weight.length !== c || bias.length !== c) {
    const got = `${runningVar.length}, ${weight.length}, ${bias.length}`;
    throw new ShapeError(`foldBatchNorm: mean, var, weight and bias must all have ${c} channels, got ${got}`);
  }
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const s = weight[i]! / Math.sqrt(runningVar[i]! + eps);
    scale[i] = s;
    shift[i] = bias[i]! - runningMean[i]! * s;
  }
  return { scale, shift };
}

/** CPU reference of batchNormInference() (float64). */
export function batchNormInferenceReference(x: HostTensor, scale: HostTensor, shift: HostTensor): HostTensor {
  const c = x.shape[1]!;
  const spatial = sizeOf(x.shape.slice(2));
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const ch = Math.floor(i / spatial) % c;
    data[i] = x.data[i]! * scale.data[ch]! + shift.data[ch]!;
  }
  return { shape: x.shape, data };
}
