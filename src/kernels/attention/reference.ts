/**
 * Float64 CPU references of fused attention (src/kernels/attention/attention.ts), written the explicit
 * way: scores, softmax, weighted sum per (batch, head, query). Dropped keys take no part; a query with
 * no kept key has output 0, log-sum-exp -inf and zero gradients.
 */
import type { HostTensor } from '../reference.js';

interface Dims {
  batch: number;
  nq: number;
  nk: number;
  heads: number;
  dh: number;
}

const dimsOf = (q: HostTensor, k: HostTensor): Dims => ({
  batch: q.shape[0]!,
  nq: q.shape[1]!,
  heads: q.shape[2]!,
  dh: q.shape[3]!,
  nk: k.shape[1]!,
});

const at = (d: Dims, n: number, b: number, r: number, h: number) => ((b * n + r) * d.heads + h) * d.dh;

/** Probabilities p[j] of one query row (0 for dropped keys) and its log-sum-exp. */
function rowSoftmax(d: Dims, q: HostTensor, k: HostTensor, mask: HostTensor | null, b: number, h: number, i: number, scale: number) {
  const s = new Float64Array(d.nk);
  let m = -Infinity;
  for (let j = 0; j < d.nk; j++) {
    if (mask && mask.data[b * d.nk + j] === 0) {
      s[j] = -Infinity;
      continue;
    }
    let dot = 0;
    const qi = at(d, d.nq, b, i, h);
    const kj = at(d, d.nk, b, j, h);
    for (let c = 0; c < d.dh; c++) dot += q.data[qi + c]! * k.data[kj + c]!;
    s[j] = dot * scale;
    m = Math.max(m, s[j]!);
  }
  if (m === -Infinity) return { p: new Float64Array(d.nk), lse: -Infinity };
  let sum = 0;
  for (let j = 0; j < d.nk; j++) sum += Math.exp(s[j]! - m);
  const p = s.map((v) => Math.exp(v - m) / sum);
  return { p, lse: m + Math.log(sum) };
}

/** O [B, Nq, H, dh] and lse [B, H, Nq]. */
export function attentionReference(q: HostTensor, k: HostTensor, v: HostTensor, mask: HostTensor | null, scale: number): { o: HostTensor; lse: HostTensor } {
  const d = dimsOf(q, k);
  const o = new Float64Array(q.data.length);
  const lse = new Float64Array(d.batch * d.heads * d.nq);
  for (let b = 0; b < d.batch; b++) {
    for (let h = 0; h < d.heads; h++) {
      for (let i = 0; i < d.nq; i++) {
        const row = rowSoftmax(d, q, k, mask, b, h, i, scale);
        lse[(b * d.heads + h) * d.nq + i] = row.lse;
        const oi = at(d, d.nq, b, i, h);
        for (let j = 0; j < d.nk; j++) {
          const vj = at(d, d.nk, b, j, h);
          for (let c = 0; c < d.dh; c++) o[oi + c]! += row.p[j]! * v.data[vj + c]!;
        }
      }
    }
  }
  return { o: { shape: q.shape, data: o }, lse: { shape: [d.batch, d.heads, d.nq], data: lse } };
}

/** dQ, dK, dV of attention given dO (the explicit softmax backward). */
export function attentionBackwardReference(
  q: HostTensor,
  k: HostTensor,
  v: HostTensor,
  dout: HostTensor,
  mask: HostTensor | null,
  scale: number,
): { dq: HostTensor; dk: HostTensor; dv: HostTensor } {
  const d = dimsOf(q, k);
  const dq = new Float64Array(q.data.length);
  const dk = new Float64Array(k.data.length);
  const dv = new Float64Array(v.data.length);
  for (let b = 0; b < d.batch; b++) {
    for (let h = 0; h < d.heads; h++) {
      for (let i = 0; i < d.nq; i++) {
        const { p } = rowSoftmax(d, q, k, mask, b, h, i, scale);
        const qi = at(d, d.nq, b, i, h);
        // dp_j = dO_i . v_j; ds_j = p_j (dp_j - sum_l p_l dp_l)
        const dp = new Float64Array(d.nk);
        let mix = 0;
        for (let j = 0; j < d.nk; j++) {
          const vj = at(d, d.nk, b, j, h);
          for (let c = 0; c < d.dh; c++) dp[j]! += dout.data[qi + c]! * v.data[vj + c]!;
          mix += p[j]! * dp[j]!;
        }
        for (let j = 0; j < d.nk; j++) {
          const kj = at(d, d.nk, b, j, h);
          const ds = p[j]! * (dp[j]! - mix) * scale;
          for (let c = 0; c < d.dh; c++) {
            dq[qi + c]! += ds * k.data[kj + c]!;
            dk[kj + c]! += ds * q.data[qi + c]!;
            dv[kj + c]! += p[j]! * dout.data[qi + c]!;
          }
        }
      }
    }
  }
  return { dq: { shape: q.shape, data: dq }, dk: { shape: k.shape, data: dk }, dv: { shape: v.shape, data: dv } };
}
