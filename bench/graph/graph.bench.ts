/**
 * The `graph` suite: whole training steps through our graph compiler against the same model trained
 * with TF.js WebGPU (tf.train.adam + optimizer.minimize) on the same device.
 */
import type { Scalar } from '@tensorflow/tfjs-core';
import { compile } from '../../src/graph/executor.js';
import { randomValues } from '../case.js';
import { mlpGraph, tfjsMlp, type MlpSpec, type TfjsMlp } from './mlp.js';
import { ensureTfjsGradients } from './tfjs-gradients.js';
import type { TrainCase } from './train-case.js';

const SUITE = 'graph';

/**
 * Adam settings both sides can run. TF.js's Adam has no decoupled weight decay, so ours runs AdamW
 * with weightDecay 0 (which is Adam); TF.js's epsilon defaults to 1e-7, ours to 1e-8: both get EPS.
 */
const LR = 1e-3;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

function mlpTrainCase(spec: MlpSpec): TrainCase {
  const { layers, width, batch } = spec;
  return {
    suite: SUITE,
    op: 'mlp_train_step',
    shape: `${layers}x${width}, batch ${batch}`,
    // Forward: one batch x width x width matmul per layer; backward: two more (dX and dW). Bias, ReLU,
    // loss and optimizer FLOPs are noise next to these.
    flops: 3 * 2 * batch * width * width * layers,
    note:
      `Adam on both sides (lr ${LR}, betas ${BETA1}/${BETA2}, eps ${EPS}): ours is AdamW with weightDecay 0 because ` +
      "TF.js's Adam has no decoupled weight decay. MSE loss against a fixed random target; identical initial " +
      'weights (ours, kaiming-uniform, copied into TF.js transposed to its [in, out] layout). TF.js layers are ' +
      'matMul + add + relu (what tf.fused.matMul becomes under a gradient tape); its gradients are ports of ' +
      "tfjs-core's own (bench/graph/tfjs-gradients.ts), which its Node bundle does not register. A timed step, " +
      'on each side, uploads x and y, runs forward + backward + optimizer and awaits the 4-byte loss on the host.',
    async build(ctx) {
      const { graph, loss } = mlpGraph(spec);
      const ours = await compile(ctx.rt, graph, {
        loss,
        optimizer: { kind: 'adamw', lr: LR, beta1: BETA1, beta2: BETA2, eps: EPS, weightDecay: 0 },
        seed: 1,
      });
      const tf = ctx.tfjs.tf;
      ensureTfjsGradients(tf);
      let m: TfjsMlp;
      try {
        m = tfjsMlp(tf, spec, await ours.parameters.read());
      } catch (err) {
        ours.destroy();
        throw err;
      }
      const optimizer = tf.train.adam(LR, BETA1, BETA2, EPS);
      const feeds = { x: randomValues(batch * width, 11), y: randomValues(batch * width, 12) };
      return {
        ours,
        feeds,
        lossName: loss.name,
        tfjsStep: () =>
          // tidy frees the uploaded x and y; minimize() frees the gradients; the returned loss is kept.
          tf.tidy(() => {
            const x = tf.tensor2d(feeds.x, [batch, width]);
            const y = tf.tensor2d(feeds.y, [batch, width]);
            return optimizer.minimize(() => m.loss(x, y), true, m.variables) as Scalar;
          }),
        release() {
          optimizer.dispose();
          m.dispose();
          ours.destroy();
        },
      };
    },
  };
}

/** Every case of the suite, in report order. */
export const graphCases: readonly TrainCase[] = [mlpTrainCase({ layers: 8, width: 512, batch: 64 })];
