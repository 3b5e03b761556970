/**
 * Attention building blocks, composed from graph ops (so their gradients come from the ops'):
 *   - linear layers named like PyTorch's nn.Linear (`<prefix>.weight` [out, in], `<prefix>.bias` [out]);
 *   - multiHeadAttention: Q/K/V projections, fused attention, output projection, residual; it serves
 *     self-attention (kv = x) and LangSeg's text-visual cross-attention (pixels attend to descriptors);
 *   - transformerBlock: the pre-norm block of the language encoder,
 *     x + attn(LN1(x)), then + MLP(LN2(...)) with GELU.
 * Token tensors are [B, N, D]. Parameter names follow the PyTorch mirror (tools/pytorch).
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';

/** nn.Linear over the last axis of x [..., in] -> [..., out]; PyTorch's default initialisation. */
export function linear(g: Graph, prefix: string, x: SymbolicTensor, outFeatures: number, options: { bias?: boolean; activation?: 'none' | 'relu' | 'gelu' } = {}): SymbolicTensor {
  const inFeatures = x.shape[x.shape.length - 1]!;
  // U(-1/sqrt(in), 1/sqrt(in)) for weight and bias: what nn.Linear's kaiming_uniform(a=sqrt(5)) comes to.
  const bound = 1 / Math.sqrt(inFeatures);
  const weight = g.param(`${prefix}.weight`, [outFeatures, inFeatures], { kind: 'uniform', bound });
  const bias = options.bias === false ? undefined : g.param(`${prefix}.bias`, [outFeatures], { kind: 'uniform', bound });
  const rows = x.size / inFeatures;
  const flat = x.shape.length === 2 ? x : g.reshape(x, [rows, inFeatures]);
  const y = g.linear(flat, weight, bias, options.activation ?? 'none');
  return x.shape.length === 2 ? y : g.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
}

/** nn.LayerNorm(D) over the last axis, weight 1 and bias 0 at the start. */
export function layerNorm(g: Graph, prefix: string, x: SymbolicTensor, eps = 1e-5): SymbolicTensor {
  const d = x.shape[x.shape.length - 1]!;
  const weight = g.param(`${prefix}.weight`, [d], { kind: 'ones' });
  const bias = g.param(`${prefix}.bias`, [d], { kind: 'zeros' });
  return g.apply('layer_norm', [x, weight, bias], { eps });
}

export interface AttentionBlockOptions {
  heads: number;
  /** Key mask [B, Nk]: 1 keeps a key (token), 0 drops it (padding). */
  mask?: SymbolicTensor;
  /** Add the query input to the output (default true). */
  residual?: boolean;
}

/**
 * out = x + W_o attention(W_q x, W_k kv, W_v kv) (+ biases), heads splitting D = x's last axis.
 * x [B, Nq, D] gives the queries; kv [B, Nk, Dkv] (D and Dkv may differ) the keys and values.
 */
export function multiHeadAttention(g: Graph, prefix: string, x: SymbolicTensor, kv: SymbolicTensor, options: AttentionBlockOptions): SymbolicTensor {
  const { heads, mask, residual = true } = options;
  if (x.shape.length !== 3 || kv.shape.length !== 3 || x.shape[0] !== kv.shape[0]) {
    throw new ShapeError(`multiHeadAttention '${prefix}': x and kv must be [B, N, D] with the same B; got ${formatShape(x.shape)} and ${formatShape(kv.shape)}`);
  }
  const [b, nq, d] = x.shape as [number, number, number];
  const nk = kv.shape[1]!;
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0) {
    throw new ShapeError(`multiHeadAttention '${prefix}': ${heads} heads do not divide the width ${d}`);
  }
  const dh = d / heads;
  const q = g.reshape(linear(g, `${prefix}.q_proj`, x, d), [b, nq, heads, dh]);
  const k = g.reshape(linear(g, `${prefix}.k_proj`, kv, d), [b, nk, heads, dh]);
  const v = g.reshape(linear(g, `${prefix}.v_proj`, kv, d), [b, nk, heads, dh]);
  const attended = g.reshape(g.attention(q, k, v, { mask }), [b, nq, d]);
  const out = linear(g, `${prefix}.out_proj`, attended, d);
  return residual ? g.add(x, out) : out;
}

export interface TransformerBlockOptions {
  heads: number;
  /** Hidden width of the MLP as a multiple of D (default 4). */
  mlpRatio?: number;
  mask?: SymbolicTensor;
}

/** Pre-norm transformer block on x [B, N, D]: x + attn(norm1(x)); then h + fc2(gelu(fc1(norm2(h)))). */
export function transformerBlock(g: Graph, prefix: string, x: SymbolicTensor, options: TransformerBlockOptions): SymbolicTensor {
  const { heads, mlpRatio = 4, mask } = options;
  const d = x.shape[x.shape.length - 1]!;
  const normed = layerNorm(g, `${prefix}.norm1`, x);
  const h = g.add(x, multiHeadAttention(g, `${prefix}.attn`, normed, normed, { heads, mask, residual: false }));
  const hidden = linear(g, `${prefix}.mlp.fc1`, layerNorm(g, `${prefix}.norm2`, h), Math.round(d * mlpRatio), { activation: 'gelu' });
  return g.add(h, linear(g, `${prefix}.mlp.fc2`, hidden, d));
}
