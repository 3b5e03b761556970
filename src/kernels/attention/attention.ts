/**
 * Fused multi-head attention (shaders/attention.wgsl): O = softmax(scale * Q K^T, keys masked) V per
 * (batch, head), never holding the Nq x Nk scores. Q and O are [B, Nq, H, dh], K and V [B, Nk, H, dh],
 * the optional key mask [B, Nk] (1 keeps a key, 0 drops it). The forward also writes the row
 * log-sum-exp [B, H, Nq] (its aux output) for the backward, which recomputes the scores.
 *
 * A query row whose keys are all dropped has output 0 and gradients 0 (no NaN); PyTorch gives NaN there.
 */
import { ShapeError } from '../../errors.js';
import { runPlanOutputs, type KernelLaunch, type KernelPlan, type Slot } from '../launch.js';
import { matmulTarget } from '../matmul/matmul.js';
import { subgroupsOf8, type MatmulTarget } from '../matmul/select.js';
import { grid1d, type KernelRuntime } from '../runtime.js';
import { formatShape, type Shape } from '../shape.js';
import { expectDType, type Tensor } from '../tensor.js';

/** Largest head size of the fused kernel (its rows live in registers: 4 * MAX_DH4 in the shader). */
export const MAX_FUSED_HEAD_SIZE = 128;
const MAX_GRID = 65535;

export interface AttentionOptions {
  /** Multiplies the scores; default 1 / sqrt(dh). */
  scale?: number;
}

export interface AttentionGeometry extends AttentionShapes {
  scale: number;
  masked: boolean;
  /** 8-lane subgroups: fetch shared rows with one load per subgroup (shaders/attention_subgroup.wgsl). */
  subgroups: boolean;
}

/** Why the fused kernel cannot take this head size, or null when it can. */
export function fusedAttentionUnfit(headSize: number): string | null {
  if (headSize % 4 !== 0) return `head size ${headSize} is not a multiple of 4`;
  if (headSize > MAX_FUSED_HEAD_SIZE) return `head size ${headSize} is over the fused kernel's ${MAX_FUSED_HEAD_SIZE}`;
  return null;
}

export interface AttentionShapes {
  batch: number;
  heads: number;
  nq: number;
  nk: number;
  headSize: number;
}

/** Check Q, K, V (and the mask) against each other; ShapeError with the numbers otherwise. */
export function attentionShapes(op: string, q: Shape, k: Shape, v: Shape, mask: Shape | null): AttentionShapes {
  const all = `q ${formatShape(q)}, k ${formatShape(k)}, v ${formatShape(v)}${mask ? `, mask ${formatShape(mask)}` : ''}`;
  for (const [name, s] of [['q', q], ['k', k], ['v', v]] as const) {
    if (s.length !== 4) throw new ShapeError(`${op}: ${name} must be [batch, tokens, heads, head size], got ${formatShape(s)} (${all})`);
  }
  const [batch, nq, heads, headSize] = q as [number, number, number, number];
  const nk = k[1]!;
  if (k[0] !== batch || k[2] !== heads || k[3] !== headSize) {
    throw new ShapeError(`${op}: k must be [${batch}, Nk, ${heads}, ${headSize}] to match q; got ${all}`);
  }
  if (v[0] !== batch || v[1] !== nk || v[2] !== heads || v[3] !== headSize) {
    throw new ShapeError(`${op}: v must have k's shape [${batch}, ${nk}, ${heads}, ${headSize}]; got ${all}`);
  }
  if (mask && (mask.length !== 2 || mask[0] !== batch || mask[1] !== nk)) {
    throw new ShapeError(`${op}: the key mask must be [batch, Nk] = [${batch}, ${nk}]; got ${all}`);
  }
  if (nk === 0) throw new ShapeError(`${op}: there are no keys (Nk = 0); ${all}`);
  if (headSize === 0) throw new ShapeError(`${op}: head size is 0; ${all}`);
  return { batch, heads, nq, nk, headSize };
}

/** The default scale 1 / sqrt(head size), or the given one (checked finite). */
export function attentionScale(op: string, headSize: number, options: AttentionOptions): number {
  const scale = options.scale ?? 1 / Math.sqrt(headSize);
  if (!Number.isFinite(scale)) throw new ShapeError(`${op}: scale must be a finite number, got ${scale}`);
  return scale;
}

/** Check the inputs, and that the fused kernel takes them, and work out the geometry. */
export function attentionGeometry(
  op: string,
  q: Shape,
  k: Shape,
  v: Shape,
  mask: Shape | null,
  options: AttentionOptions = {},
  target?: MatmulTarget,
): AttentionGeometry {
  const shapes = attentionShapes(op, q, k, v, mask);
  const unfit = fusedAttentionUnfit(shapes.headSize);
  if (unfit) throw new ShapeError(`${op}: the fused kernel cannot take ${formatShape(q)}: ${unfit} (Graph.attention composes matmul and softmax instead)`);
  if (shapes.batch > MAX_GRID || shapes.heads > MAX_GRID) {
    throw new ShapeError(`${op}: batch ${shapes.batch} and heads ${shapes.heads} must each be at most ${MAX_GRID}`);
  }
  return { ...shapes, scale: attentionScale(op, shapes.headSize, options), masked: !!mask, subgroups: !!target && subgroupsOf8(target) };
}

/** Workgroup size: the rows a workgroup owns (32 for short sequences so few lanes idle). */
const workgroupFor = (rows: number): number => (rows <= 32 ? 32 : 64);

/**
 * One launch of the attention shader over `rows` rows per (head, batch). Without a mask the shader's mask
 * binding is never read and q stands in for it.
 */
function launch(g: AttentionGeometry, entry: string, rows: number, maskSlot: Slot, bindings: Record<string, Slot>): KernelLaunch {
  // backward_stats runs over all B * H * Nq rows in a 1-D grid; the others over (rows, heads, batch).
  const flat = entry === 'backward_stats';
  const size = flat ? 64 : workgroupFor(rows);
  return {
    shader: g.subgroups && !flat ? 'attention_subgroup' : 'attention',
    entry,
    overrides: { WORKGROUP_SIZE: size, DH4: g.headSize / 4, HAS_MASK: g.masked },
    uniforms: { rows: g.batch * g.heads * g.nq, heads: g.heads, nq: g.nq, nk: g.nk, scale_log2: g.scale * Math.LOG2E, scale: g.scale },
    workgroups: flat ? grid1d(Math.ceil(rows / size)) : [Math.ceil(rows / size), g.heads, g.batch],
    bindings: flat ? bindings : { key_mask: g.masked ? maskSlot : 'in0', ...bindings },
  };
}

/**
 * Plan of the forward: inputs (q, k, v[, mask]); output O; aux0 the row log-sum-exp [B, H, Nq]. `target`
 * lets 8-lane CPU adapters take the subgroup kernel.
 */
export function attentionPlan(q: Shape, k: Shape, v: Shape, mask: Shape | null, options: AttentionOptions = {}, target?: MatmulTarget): KernelPlan {
  const g = attentionGeometry('attention', q, k, v, mask, options, target);
  const launches = g.nq === 0 ? [] : [launch(g, 'forward', g.nq, 'in3', { q_in: 'in0', k_in: 'in1', v_in: 'in2', o_out: 'out', lse_out: 'aux0' })];
  return { out: { shape: q, dtype: 'f32' }, aux: [{ shape: [g.batch, g.heads, g.nq], dtype: 'f32' }], temps: [], launches, variant: g.subgroups ? 'fused (subgroup)' : 'fused' };
}

/**
 * Plan of the backward: inputs (q, k, v, o, lse, dO[, mask]) in the forward's shapes; output dQ, aux0 dK,
 * aux1 dV. Three launches: per-query statistics (lse in base 2 and delta = sum dO * O), then dQ (one
 * invocation per query), then dK and dV (one per key). No atomics.
 */
export function attentionBackwardPlan(
  q: Shape,
  k: Shape,
  v: Shape,
  o: Shape,
  lse: Shape,
  dout: Shape,
  mask: Shape | null,
  options: AttentionOptions = {},
  target?: MatmulTarget,
): KernelPlan {
  const op = 'attention_backward';
  const g = attentionGeometry(op, q, k, v, mask, options, target);
  const same = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(o, q) || !same(dout, q)) throw new ShapeError(`${op}: o ${formatShape(o)} and dO ${formatShape(dout)} must have q's shape ${formatShape(q)}`);
  if (!same(lse, [g.batch, g.heads, g.nq])) throw new ShapeError(`${op}: lse must be [${g.batch}, ${g.heads}, ${g.nq}], got ${formatShape(lse)}`);
  const rows = g.batch * g.heads * g.nq;
  // Inputs are (q, k, v, o, lse, dO, mask): the mask is in6 here.
  const common = { q_in: 'in0', k_in: 'in1', v_in: 'in2', grad_o: 'in5', row_stats_in: 'tmp0' } as const;
  const keys = launch(g, 'backward_key', g.nk, 'in6', { ...common, dk_out: 'aux0', dv_out: 'aux1' });
  const launches =
    g.nq === 0
      ? [keys] // no queries: dK = dV = 0, which backward_key writes
      : [
          launch(g, 'backward_stats', rows, 'in6', { o_in: 'in3', lse_in: 'in4', grad_o: 'in5', row_stats: 'tmp0' }),
          launch(g, 'backward_query', g.nq, 'in6', { ...common, dq_out: 'out' }),
          keys,
        ];
  return {
    out: { shape: q, dtype: 'f32' },
    aux: [
      { shape: k, dtype: 'f32' },
      { shape: v, dtype: 'f32' },
    ],
    temps: [{ shape: [Math.max(1, rows), 2], dtype: 'f32' }],
    launches,
    variant: g.subgroups ? 'fused (subgroup)' : 'fused',
  };
}

/** Fused attention, eagerly: returns [O, lse]. */
export async function attention(rt: KernelRuntime, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null = null, options: AttentionOptions = {}): Promise<[Tensor, Tensor]> {
  for (const t of [q, k, v, ...(mask ? [mask] : [])]) expectDType('attention', t, ['f32']);
  const plan = attentionPlan(q.shape, k.shape, v.shape, mask?.shape ?? null, options, matmulTarget(rt));
  const [o, lse] = await runPlanOutputs(rt, plan, mask ? [q, k, v, mask] : [q, k, v], `attention(${q.name})`);
  return [o!, lse!];
}

/** The fused backward, eagerly: returns [dQ, dK, dV]. */
export async function attentionBackward(
  rt: KernelRuntime,
  inputs: { q: Tensor; k: Tensor; v: Tensor; o: Tensor; lse: Tensor; dout: Tensor; mask?: Tensor | null },
  options: AttentionOptions = {},
): Promise<[Tensor, Tensor, Tensor]> {
  const { q, k, v, o, lse, dout, mask = null } = inputs;
  const plan = attentionBackwardPlan(q.shape, k.shape, v.shape, o.shape, lse.shape, dout.shape, mask?.shape ?? null, options, matmulTarget(rt));
  const list = [q, k, v, o, lse, dout, ...(mask ? [mask] : [])];
  for (const t of list) expectDType('attention_backward', t, ['f32']);
  const [dq, dk, dv] = await runPlanOutputs(rt, plan, list, `attention_backward(${q.name})`);
  return [dq!, dk!, dv!];
}
