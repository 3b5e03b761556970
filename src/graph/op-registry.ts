/**
 * The op table: for every op, its output (shape and dtype, checked) and its kernel plan, from the kernel
 * layer, plus its float64 CPU reference. The graph builds on it, and so do the kernel tests (one helper,
 * checkOp, walks it). Ops are defined by family in src/graph/ops/*.ts; gradient rules live apart, in
 * src/graph/gradients*.ts.
 */
import { DTypeError, ShapeError } from '../errors.js';
import type { KernelPlan, TensorSpec } from '../kernels/launch.js';
import type { MatmulTarget } from '../kernels/matmul/select.js';
import type { HostTensor } from '../kernels/reference.js';

/** Attributes of one op call: axes, alpha, transposes, activation... (what each op takes). */
export type OpAttrs = Record<string, unknown>;

export interface OpDef {
  name: string;
  /** The kernel plan; also the shape rule (plans validate their inputs and say the output). */
  plan(target: MatmulTarget, inputs: TensorSpec[], attrs: OpAttrs): KernelPlan;
  /** Output spec, or a ShapeError/DTypeError. */
  infer(inputs: TensorSpec[], attrs: OpAttrs): TensorSpec;
  /** Output and auxiliary output specs (see KernelPlan.aux), checked as infer() does. */
  outputs(inputs: TensorSpec[], attrs: OpAttrs): { out: TensorSpec; aux: TensorSpec[] };
  reference(inputs: HostTensor[], attrs: OpAttrs): HostTensor;
  arity: number | [number, number];
  /** Inputs a test should draw: positive for log, sqrt, pow. */
  domain?: 'positive';
}

/** Plans of most ops do not depend on the device; shape inference uses this stand-in target. */
const SHAPE_ONLY_TARGET: MatmulTarget = {
  adapter: { vendor: '', architecture: '', device: '', description: '', isSoftware: true, subgroupMinSize: 0, subgroupMaxSize: 0 },
  features: new Set(),
};

const registry = new Map<string, OpDef>();

/** Register an op: its arity, its kernel plan (which is also its shape rule) and its CPU reference. */
export function defineOp(name: string, arity: OpDef['arity'], plan: OpDef['plan'], reference: OpDef['reference'], domain?: 'positive'): void {
  registry.set(name, {
    name,
    arity,
    plan,
    reference,
    domain,
    infer(inputs, attrs) {
      return this.outputs(inputs, attrs).out;
    },
    outputs(inputs, attrs) {
      const [lo, hi] = typeof arity === 'number' ? [arity, arity] : arity;
      if (inputs.length < lo || inputs.length > hi) {
        throw new ShapeError(`takes ${lo === hi ? lo : `${lo} to ${hi}`} inputs, got ${inputs.length}`);
      }
      for (const [i, t] of inputs.entries()) {
        if (t.dtype !== 'f32') throw new DTypeError(`${name}: input ${i} is ${t.dtype}, but ${name} takes f32`);
      }
      const p = plan(SHAPE_ONLY_TARGET, inputs, attrs);
      return { out: p.out, aux: p.aux ?? [] };
    },
  });
}

/** The definition of a registered op; throws for an unknown name. */
export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new ShapeError(`unknown op '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return def;
}

/** Every registered op name. */
export function opNames(): string[] {
  return [...registry.keys()];
}
