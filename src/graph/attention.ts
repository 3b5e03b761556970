/**
 * Graph.attention(): the fused attention op where its kernel takes the head size, otherwise the same
 * function composed from matmul and softmax (which holds the B*H x Nq x Nk scores in memory). The
 * composed form's nodes are named `<name>.composed[<reason>]...`, so a profile says which one ran and why.
 * Semantics are the same either way, also for fully masked rows (output 0).
 */
import { attentionScale, attentionShapes, fusedAttentionUnfit, type AttentionOptions } from '../kernels/attention/attention.js';
import type { Graph, SymbolicTensor } from './graph.js';

export interface AttentionCallOptions extends AttentionOptions {
  /** Key-padding mask [B, Nk]: 1 keeps a key, 0 drops it. */
  mask?: SymbolicTensor;
  /** Name of the output (default `attention<node id>`). */
  name?: string;
}

/** softmax(scale * Q K^T, keys masked) V for Q [B, Nq, H, dh] and K, V [B, Nk, H, dh]; see Graph.attention. */
export function buildAttention(g: Graph, q: SymbolicTensor, k: SymbolicTensor, v: SymbolicTensor, options: AttentionCallOptions = {}): SymbolicTensor {
  const { mask, name, ...rest } = options;
  const shapes = attentionShapes('attention', q.shape, k.shape, v.shape, mask?.shape ?? null);
  const unfit = fusedAttentionUnfit(shapes.headSize);
  const attrs = rest.scale === undefined ? {} : { scale: rest.scale };
  if (!unfit) return g.apply('attention', mask ? [q, k, v, mask] : [q, k, v], attrs, name);
  return composedAttention(g, q, k, v, mask, attentionScale('attention', shapes.headSize, rest), `${name ?? `attention${g.nodes.length}`}.composed[${unfit}]`);
}

function composedAttention(g: Graph, q: SymbolicTensor, k: SymbolicTensor, v: SymbolicTensor, mask: SymbolicTensor | undefined, scale: number, label: string): SymbolicTensor {
  const [b, nq, h, dh] = q.shape as [number, number, number, number];
  const nk = k.shape[1]!;
  // [B, N, H, dh] -> [B*H, N, dh]: one matrix per (batch, head) for the batched matmuls.
  const perHead = (t: SymbolicTensor, n: number) => g.reshape(g.transpose(t, [0, 2, 1, 3]), [b * h, n, dh]);
  let scores = g.reshape(g.scale(g.matmul(perHead(q, nq), perHead(k, nk), { transB: true }), scale), [b, h, nq, nk]);
  let keep: SymbolicTensor | null = null;
  if (mask) {
    keep = g.reshape(g.stopGradient(mask), [b, 1, 1, nk]);
    // Dropped keys get -1e30 before the softmax; multiplying by the mask after it zeroes a row whose keys
    // are all dropped (the softmax of all -1e30 is uniform), as the fused kernel does.
    scores = g.add(scores, g.scale(g.sub(keep, g.fill(1, [1])), 1e30));
  }
  let probs = g.apply('softmax', [scores], {}, `${label}.probs`);
  if (keep) probs = g.mul(probs, keep);
  const out = g.matmul(g.reshape(probs, [b * h, nq, nk]), perHead(v, nk));
  return g.apply('transpose', [g.reshape(out, [b, h, nq, dh])], { perm: [0, 2, 1, 3] }, label);
}
