/**
 * Optimizer kernels over flat buffers (shaders/optimizer.wgsl): optional global-norm clipping, then one
 * AdamW or SGD dispatch for every parameter at once. Hyper-parameters travel in a uniform that is
 * rewritten each step, so a learning-rate schedule needs no recompilation.
 */
import { grid1d } from './runtime.js';
import type { ShaderName } from './shaders.js';

export const OPTIMIZER_WORKGROUP = 256;
export const NORM_PARTIALS = 64;

export interface AdamWConfig {
  kind: 'adamw';
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Clip the global gradient norm to this (0 or undefined: no clipping). */
  maxGradNorm?: number;
}

export interface SGDConfig {
  kind: 'sgd';
  lr: number;
  momentum?: number;
  weightDecay?: number;
  maxGradNorm?: number;
}

export type OptimizerConfig = AdamWConfig | SGDConfig;

export interface OptimizerLaunch {
  shader: ShaderName;
  entry: 'sum_squares' | 'clip_scale' | 'adamw' | 'sgd' | 'adamw4' | 'sgd4';
  overrides: Record<string, number>;
  workgroups: readonly [number, number, number];
  /** WGSL binding name -> which flat buffer it takes. */
  bindings: Readonly<Record<string, FlatName>>;
}

export type FlatName = 'param' | 'grad' | 'moment1' | 'moment2' | 'decay' | 'stats' | 'partial';

/** The dispatches of one optimizer step over `n` flat elements, in order. */
export function optimizerLaunches(config: OptimizerConfig, n: number): OptimizerLaunch[] {
  const overrides = { WORKGROUP_SIZE: OPTIMIZER_WORKGROUP, PARTIALS: NORM_PARTIALS };
  // Four elements per invocation when the flat length allows (Parameters pads it to a multiple of 64).
  const vec4 = n % 4 === 0;
  const v = vec4 ? '4' : '';
  const bindings: Record<string, FlatName> = {
    [vec4 ? 'param4' : 'param']: 'param',
    [vec4 ? 'grad4' : 'grad']: 'grad',
    [vec4 ? 'moment1_4' : 'moment1']: 'moment1',
    [vec4 ? 'decay4' : 'decay']: 'decay',
    stats: 'stats',
  };
  if (config.kind === 'adamw') bindings[vec4 ? 'moment2_4' : 'moment2'] = 'moment2';
  const step: OptimizerLaunch = {
    shader: 'optimizer',
    entry: `${config.kind}${v}` as OptimizerLaunch['entry'],
    overrides,
    workgroups: grid1d(Math.ceil(n / (vec4 ? 4 : 1) / OPTIMIZER_WORKGROUP)),
    bindings,
  };
  // Without clipping the scale in stats stays 1 (set at creation) and the norm passes are skipped.
  if (!config.maxGradNorm) return [step];
  return [
    { shader: 'optimizer', entry: 'sum_squares', overrides, workgroups: [NORM_PARTIALS, 1, 1], bindings: { grad: 'grad', partial: 'partial' } },
    { shader: 'optimizer', entry: 'clip_scale', overrides, workgroups: [1, 1, 1], bindings: { partial: 'partial', stats: 'stats' } },
    step,
  ];
}

/** The uniform values for step `t` (1-based) at learning rate `lr`. */
export function optimizerUniforms(config: OptimizerConfig, n: number, t: number, lr: number): Record<string, number> {
  const beta1 = config.kind === 'adamw' ? (config.beta1 ?? 0.9) : 0;
  const beta2 = config.kind === 'adamw' ? (config.beta2 ?? 0.999) : 0;
  return {
    n,
    lr,
    beta1,
    beta2,
    eps: config.kind === 'adamw' ? (config.eps ?? 1e-8) : 0,
    weight_decay: config.weightDecay ?? (config.kind === 'adamw' ? 0.01 : 0),
    correction1: 1 - beta1 ** t,
    correction2: 1 - beta2 ** t,
    max_norm: config.maxGradNorm ?? 0,
    momentum: config.kind === 'sgd' ? (config.momentum ?? 0) : 0,
  };
}

export interface OptimizerState {
  param: Float64Array;
  moment1: Float64Array;
  moment2: Float64Array;
}

/** CPU reference of one optimizer step (float64), including clipping; mutates `state`. */
export function optimizerReference(config: OptimizerConfig, state: OptimizerState, grad: ArrayLike<number>, decay: ArrayLike<number>, t: number, lr: number): void {
  const u = optimizerUniforms(config, grad.length, t, lr);
  let norm = 0;
  for (let i = 0; i < grad.length; i++) norm += grad[i]! * grad[i]!;
  norm = Math.sqrt(norm);
  const scale = u.max_norm! > 0 ? Math.min(1, u.max_norm! / (norm + 1e-6)) : 1;
  for (let i = 0; i < grad.length; i++) {
    const p = state.param[i]!;
    if (config.kind === 'adamw') {
      const g = grad[i]! * scale;
      const m = u.beta1! * state.moment1[i]! + (1 - u.beta1!) * g;
      const v = u.beta2! * state.moment2[i]! + (1 - u.beta2!) * g * g;
      state.moment1[i] = m;
      state.moment2[i] = v;
      state.param[i] = p - lr * (m / u.correction1! / (Math.sqrt(v / u.correction2!) + u.eps!) + u.weight_decay! * decay[i]! * p);
    } else {
      const g = grad[i]! * scale + u.weight_decay! * decay[i]! * p;
      const buf = u.momentum! * state.moment1[i]! + g;
      state.moment1[i] = buf;
      state.param[i] = p - lr * buf;
    }
  }
}

/** Warm-up then cosine decay: the learning rate for step t (0-based). */
export function warmupCosine(options: { base: number; warmupSteps: number; totalSteps: number; minLr?: number }): (t: number) => number {
  const { base, warmupSteps, totalSteps, minLr = 0 } = options;
  return (t) => {
    if (t < warmupSteps) return (base * (t + 1)) / warmupSteps;
    const progress = Math.min(1, (t - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return minLr + 0.5 * (base - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}
