/**
 * The narrow interface between kernels and whoever runs them. A kernel describes a call as a KernelPlan:
 * the output's shape, any intermediate buffers, and the dispatches with their bindings named by slot
 * ('in0', 'in1', 'out', 'tmp0', ...). The eager API (runPlan) and the graph executor both run plans, so a
 * kernel's dispatch logic exists once.
 */
import type { KernelRuntime, Overrides } from './runtime.js';
import { shaderSource, type ShaderName } from './shaders.js';
import type { Shape } from './shape.js';
import type { DType, Tensor } from './tensor.js';

export type Slot = `in${number}` | 'out' | `tmp${number}`;

export interface KernelLaunch {
  shader: ShaderName;
  entry: string;
  overrides: Overrides;
  uniforms: Record<string, number | readonly number[]>;
  workgroups: readonly [number, number, number];
  /** WGSL binding name -> slot. */
  bindings: Record<string, Slot>;
}

export interface TensorSpec {
  shape: Shape;
  dtype: DType;
}

export interface KernelPlan {
  out: TensorSpec;
  /** Intermediates, live only while this plan's launches run. */
  temps: TensorSpec[];
  launches: KernelLaunch[];
}

/** A plan with one launch and no temporaries, the common case. */
export function singleLaunch(out: TensorSpec, launch: KernelLaunch): KernelPlan {
  return { out, temps: [], launches: [launch] };
}

/** Run a plan eagerly: allocate the output and temporaries, queue the launches, free temporaries after submit. */
export async function runPlan(rt: KernelRuntime, plan: KernelPlan, inputs: readonly Tensor[], name: string): Promise<Tensor> {
  const programs = await Promise.all(
    plan.launches.map((l) => rt.program(l.shader, shaderSource(l.shader), l.entry, l.overrides)),
  );
  const out = rt.empty(plan.out.shape, plan.out.dtype, name);
  const temps = plan.temps.map((t, i) => rt.empty(t.shape, t.dtype, `${name}.tmp${i}`));
  const slot = (s: Slot): Tensor => {
    if (s === 'out') return out;
    const index = Number(s.slice(3));
    const t = s.startsWith('in') ? inputs[Number(s.slice(2))] : temps[index];
    if (!t) throw new Error(`kernel plan for '${name}' names slot '${s}' that does not exist`);
    return t;
  };
  plan.launches.forEach((l, i) => {
    const bindings: Record<string, Tensor> = {};
    for (const [binding, s] of Object.entries(l.bindings)) bindings[binding] = slot(s);
    rt.dispatch(programs[i]!, { bindings, uniforms: l.uniforms, workgroups: l.workgroups });
  });
  for (const t of temps) rt.disposeAfterSubmit(t);
  return out;
}
