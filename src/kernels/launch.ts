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

/**
 * Where a binding points: an input, the output, an auxiliary output (a second result such as attention's
 * row log-sum-exp, kept for a gradient), a temporary, or a constant of the plan (static index data such
 * as token ids, uploaded once).
 */
export type Slot = `in${number}` | 'out' | `aux${number}` | `tmp${number}` | `const${number}`;

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
  /** Further results of the same launches (slots aux0, aux1, ...); they carry no gradient. */
  aux?: TensorSpec[];
  /** Intermediates, live only while this plan's launches run. */
  temps: TensorSpec[];
  /** Static data the launches read (slots const0, ...): written once, when the plan is compiled or run. */
  constants?: PlanConstant[];
  launches: KernelLaunch[];
  /** Which implementation was chosen where an op has several (shown in profiles), e.g. 'fused'. */
  variant?: string;
}

/** Static data of a plan, as u32 (indices, offsets) or f32 values. */
export type PlanConstant = Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>;

/** A plan with one launch and no temporaries, the common case. */
export function singleLaunch(out: TensorSpec, launch: KernelLaunch): KernelPlan {
  return { out, temps: [], launches: [launch] };
}

/** The number at the end of a slot name ('aux1' -> 1). */
export function slotIndex(s: Slot): number {
  return Number(/\d+$/.exec(s)![0]);
}

/**
 * A plan's launches re-pointed for use inside a larger plan: each slot named in `rename` becomes its value,
 * and every other temporary tmpK becomes tmp(K + tempOffset), so the outer plan can put its own
 * temporaries first. How composite kernels (a conv as unfold + matmul, say) reuse another kernel's plan.
 */
export function renameSlots(launches: readonly KernelLaunch[], rename: Partial<Record<Slot, Slot>>, tempOffset = 0): KernelLaunch[] {
  const renamed = (s: Slot): Slot => rename[s] ?? (s.startsWith('tmp') ? `tmp${slotIndex(s) + tempOffset}` : s);
  return launches.map((l) => ({ ...l, bindings: Object.fromEntries(Object.entries(l.bindings).map(([name, s]) => [name, renamed(s)])) }));
}

/** Run a plan eagerly: its output, then its auxiliary outputs. Temporaries and constants are freed after submit. */
export async function runPlanOutputs(rt: KernelRuntime, plan: KernelPlan, inputs: readonly Tensor[], name: string): Promise<Tensor[]> {
  const programs = await Promise.all(
    plan.launches.map((l) => rt.program(l.shader, shaderSource(l.shader), l.entry, l.overrides)),
  );
  const out = rt.empty(plan.out.shape, plan.out.dtype, name);
  const aux = (plan.aux ?? []).map((t, i) => rt.empty(t.shape, t.dtype, `${name}.aux${i}`));
  const temps = plan.temps.map((t, i) => rt.empty(t.shape, t.dtype, `${name}.tmp${i}`));
  const constants = (plan.constants ?? []).map((data, i) =>
    rt.upload(data, [data.length], data instanceof Uint32Array ? 'u32' : 'f32', `${name}.const${i}`),
  );
  const slot = (s: Slot): Tensor => {
    if (s === 'out') return out;
    const index = slotIndex(s);
    const t = s.startsWith('in') ? inputs[index] : s.startsWith('aux') ? aux[index] : s.startsWith('tmp') ? temps[index] : constants[index];
    if (!t) throw new Error(`kernel plan for '${name}' names slot '${s}' that does not exist`);
    return t;
  };
  plan.launches.forEach((l, i) => {
    const bindings: Record<string, Tensor> = {};
    for (const [binding, s] of Object.entries(l.bindings)) bindings[binding] = slot(s);
    rt.dispatch(programs[i]!, { bindings, uniforms: l.uniforms, workgroups: l.workgroups });
  });
  for (const t of [...temps, ...constants]) rt.disposeAfterSubmit(t);
  return [out, ...aux];
}

/** Run a plan eagerly and return its output (auxiliary outputs are dropped). */
export async function runPlan(rt: KernelRuntime, plan: KernelPlan, inputs: readonly Tensor[], name: string): Promise<Tensor> {
  const [out, ...aux] = await runPlanOutputs(rt, plan, inputs, name);
  for (const t of aux) rt.disposeAfterSubmit(t);
  return out!;
}
