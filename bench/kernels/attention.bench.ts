/**
 * The `attention` suite: our fused multi-head attention (forward, and forward + backward) against the
 * TF.js WebGPU composition a TF.js user writes: matMul(Q, K^T) * scale, softmax, matMul(P, V), with
 * gradients from tf.grads. TF.js gets its inputs head-major ([B*H, N, dh]) so it times no transposes;
 * ours reads the [B, N, H, dh] layout of the projections directly. Each row notes the extra memory of
 * each side's forward: ours the row log-sum-exp (B*H*Nq floats), TF.js the scores and probabilities
 * (2 * B*H*Nq*Nk floats).
 */
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { attention, attentionBackward, attentionPlan } from '../../src/kernels/attention/attention.js';
import { matmulTarget } from '../../src/kernels/matmul/matmul.js';
import type { Tensor } from '../../src/kernels/tensor.js';
import { randomValues, releaseAll, type BenchContext, type KernelCase } from '../case.js';
import { ensureTfjsGradients } from '../graph/tfjs-gradients.js';

interface AttentionShape {
  name: string;
  b: number;
  nq: number;
  nk: number;
  h: number;
  dh: number;
}

/** [B, N, H, dh] data and the same values as TF.js's head-major [B*H, N, dh]. */
function pair(ctx: BenchContext, b: number, n: number, h: number, dh: number, seed: number) {
  const data = randomValues(b * n * h * dh, seed);
  const ours = ctx.rt.upload(data, [b, n, h, dh], 'f32', `x${seed}`);
  const tf = ctx.tfjs.tf;
  const headMajor = tf.tidy(() => tf.reshape(tf.transpose(tf.tensor(data, [b, n, h, dh]), [0, 2, 1, 3]), [b * h, n, dh]));
  return { ours, tf: headMajor };
}

function attentionCase(s: AttentionShape, withBackward: boolean): KernelCase {
  const pairs = s.b * s.h * s.nq * s.nk;
  const forwardFlops = 4 * pairs * s.dh; // QK^T and PV
  return {
    suite: 'attention',
    op: withBackward ? 'attention fwd+bwd' : 'attention fwd',
    shape: `${s.name} B${s.b} Nq${s.nq} Nk${s.nk} H${s.h} dh${s.dh}`,
    metric: 'GFLOP/s',
    // Backward: the four products dV = P^T dO, dP = dO V^T, dQ = dS K, dK = dS^T Q (our recomputed QK^T not counted).
    work: withBackward ? 3 * forwardFlops : forwardFlops,
    async build(ctx) {
      const { rt } = ctx;
      const tf = ctx.tfjs.tf;
      ensureTfjsGradients(tf);
      const scale = 1 / Math.sqrt(s.dh);
      const q = pair(ctx, s.b, s.nq, s.h, s.dh, 31);
      const k = pair(ctx, s.b, s.nk, s.h, s.dh, 32);
      const v = pair(ctx, s.b, s.nk, s.h, s.dh, 33);
      const dout = pair(ctx, s.b, s.nq, s.h, s.dh, 34);
      const extra: Tensor[] = [];
      const ours = await rt.capture(async () => {
        const [o, lse] = await attention(rt, q.ours, k.ours, v.ours);
        if (!withBackward) {
          extra.push(lse);
          return o;
        }
        const [dq, dk, dv] = await attentionBackward(rt, { q: q.ours, k: k.ours, v: v.ours, o, lse, dout: dout.ours });
        extra.push(o, lse, dk, dv);
        return dq;
      });
      const forward = (qt: TfTensor, kt: TfTensor, vt: TfTensor) => tf.matMul(tf.softmax(tf.mul(tf.matMul(qt, kt, false, true), scale)), vt);
      const grads = tf.grads((qt: TfTensor, kt: TfTensor, vt: TfTensor) => forward(qt, kt, vt));
      // Timed: forward, or all three gradients (dK and dV are computed, then freed by tidy).
      const tfjs = withBackward ? () => grads([q.tf, k.tf, v.tf], dout.tf)[0]! : () => forward(q.tf, k.tf, v.tf);
      const toOurLayout = (t: TfTensor) => tf.transpose(tf.reshape(t, [s.b, s.h, s.nq, s.dh]), [0, 2, 1, 3]);
      return {
        ours,
        tfjs,
        tfjsCheck: () => toOurLayout(tfjs()),
        algorithm: `${attentionPlan(q.ours.shape, k.ours.shape, v.ours.shape, null, {}, matmulTarget(rt)).variant}; tfjs: matMul+softmax+matMul${withBackward ? ' + tf.grads' : ''}`,
        notes: { ours_extra_bytes: 4 * s.b * s.h * s.nq, tfjs_extra_bytes: 2 * 4 * pairs },
        release: () => {
          for (const t of extra) t.destroy();
          releaseAll([q, k, v, dout], ours);
        },
      };
    },
  };
}

const CROSS: AttentionShape = { name: 'cross', b: 1, nq: 4096, nk: 1024, h: 4, dh: 32 };
const SELF: AttentionShape = { name: 'self', b: 150, nq: 32, nk: 32, h: 4, dh: 32 };

export const attentionCases: readonly KernelCase[] = [
  attentionCase(CROSS, false),
  attentionCase(CROSS, true),
  attentionCase(SELF, false),
  attentionCase(SELF, true),
];
