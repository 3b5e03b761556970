/**
 * The `train` suite (issue #6's performance target): one training step of the `tiny` LangSeg model, batch 4
 * at 128x128, 12 classes x 4 descriptors, three ways on the same machine:
 *   - ours: the compiled step (forward + backward + AdamW in one submit), as LangSegModel.trainer() builds it;
 *   - TF.js WebGPU on the same GPUDevice: the very same graph run op by op with TF.js ops
 *     (tfjs-interpreter.ts), trained with optimizer.minimize (tf.variableGrads) + tf.train.adam;
 *   - PyTorch CPU: the mirror model (tools/pytorch) in a child process, when torch is installed.
 * All three start from our initial weights and see the same batch.
 */
import type { Scalar } from '@tensorflow/tfjs-core';
import { flattenDescriptors } from '../../src/descriptors/descriptor-set.js';
import { compile, type Executable } from '../../src/graph/executor.js';
import type { Graph, GraphNode, SymbolicTensor } from '../../src/graph/graph.js';
import { resolveConfig } from '../../src/model/config.js';
import { buildLangSeg } from '../../src/model/langseg.js';
import { checkLabels } from '../../src/model/losses.js';
import { LangSegModel } from '../../src/model/model.js';
import type { BenchContext } from '../case.js';
import type { Suite } from '../suite.js';
import { BENCH_CLASSES, benchBatch } from './langseg-data.js';
import type { PytorchInputs } from './pytorch-train.js';
import { formatTrainSummary } from './langseg-train-report.js';
import { runLangSegTrain, type TrainBenchResult } from './run-langseg-train.js';
import { ensureLangSegGradients } from './tfjs-gradients-langseg.js';
import { interpretGraph, type TfjsGraphModel } from './tfjs-interpreter.js';

/**
 * Adam settings all three sides run. TF.js's Adam has no decoupled weight decay and PyTorch's Adam is
 * given none, so ours runs AdamW with weightDecay 0 (which is Adam) and no gradient clipping (the
 * trainer's default clips at norm 1; neither other side would); TF.js's epsilon defaults to 1e-7: all get EPS.
 */
const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const SEED = 1;

export interface LangSegTrainSpec {
  preset: 'tiny';
  batch: number;
}

/** A built case: both GPU sides ready to step, and what the PyTorch child needs. */
export interface LangSegTrainInstance {
  readonly ours: Executable;
  /** Our feeds (images, labels), for profiling. */
  readonly oursFeeds: Record<string, Float32Array>;
  /** One step of ours as Trainer.step() does it: check the labels, run, read the losses; gives the total. */
  oursStep(): Promise<number>;
  /** One TF.js step (recorded, not awaited): the loss before the update, for the caller to read and dispose. */
  tfjsStep(): Scalar;
  readonly tfjs: TfjsGraphModel;
  readonly pytorch: PytorchInputs;
  /** FLOPs of one training step (3 x the forward's convolutions, matmuls and attention). */
  readonly flops: number;
  release(): void;
}

export interface LangSegTrainCase {
  readonly suite: string;
  readonly op: string;
  readonly shape: string;
  readonly batch: number;
  readonly note: string;
  build(ctx: BenchContext): Promise<LangSegTrainInstance>;
}

/** Forward FLOPs of the nodes `loss` depends on (convs, matmuls, attention), times 3 for forward + backward. */
export function trainingFlops(graph: Graph, loss: SymbolicTensor): number {
  const needed = new Set<GraphNode>();
  const stack = [loss.node!];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    for (const t of n.inputs) if (t.node) stack.push(t.node);
  }
  let flops = 0;
  for (const n of graph.nodes) {
    if (!needed.has(n)) continue;
    const out = n.output.size;
    const [a, b] = n.inputs as [SymbolicTensor, SymbolicTensor];
    if (n.op === 'conv2d') flops += 2 * out * (b.shape[1]! * b.shape[2]! * b.shape[3]!);
    else if (n.op === 'matmul') flops += 2 * out * (n.attrs.transA ? a.shape.at(-2)! : a.shape.at(-1)!);
    else if (n.op === 'attention') flops += 4 * a.shape[0]! * a.shape[2]! * a.shape[1]! * b.shape[1]! * a.shape[3]!;
  }
  return 3 * flops;
}

function langSegTrainCase({ preset, batch }: LangSegTrainSpec): LangSegTrainCase {
  const cfg = resolveConfig(preset);
  const [h, w] = cfg.imageSize;
  const classes = BENCH_CLASSES.classes.length;
  const perClass = BENCH_CLASSES.descriptors[0]!.length;
  return {
    suite: 'train',
    op: 'langseg_train_step',
    shape: `${preset}, batch ${batch} at ${h}x${w}, ${classes} classes x ${perClass} descriptors`,
    batch,
    note:
      `Adam on every side (lr ${ADAM.lr}, betas ${ADAM.beta1}/${ADAM.beta2}, eps ${ADAM.eps}, no weight decay, no clipping): ours is ` +
      "AdamW with weightDecay 0 and no maxGradNorm. TF.js runs our graph op by op through bench/graph/tfjs-interpreter.ts " +
      '(NHWC convolutions and resizes, conv weights as HWIO variables, axes moved only where an op needs it), with ' +
      "gradients ported from tfjs-core 4.22 (its Node bundle registers none); TF.js's ResizeBilinearGrad ignores " +
      "halfPixelCenters, so its gradients through the model's bilinear resizes differ from the true ones (the forward and " +
      'the first loss agree; later losses drift). PyTorch: the mirror model on the CPU, torch.optim.Adam, 2 threads. ' +
      'All sides start from our initial weights (seed 1) and step on the same batch; a step uploads the batch, runs ' +
      'forward + backward + Adam and reads the loss back on the host.',
    async build(ctx) {
      const model = LangSegModel.create(ctx.rt, cfg, BENCH_CLASSES, { seed: SEED });
      const built = buildLangSeg(cfg, { batch, descriptors: BENCH_CLASSES, tokenizer: model.tokenizer, training: true });
      const terms = built.losses!;
      const outputs = [terms.total, terms.seg, terms.gen, terms.triplet, terms.ms].filter((t) => t !== undefined);
      const flops = trainingFlops(built.graph, terms.total);
      const release: (() => void)[] = [() => model.destroy()];
      try {
        // What LangSegModel.trainer() compiles, with the optimizer every side can run.
        const ours = await compile(ctx.rt, built.graph, { loss: terms.total, outputs, parameters: model.parameters, optimizer: { kind: 'adamw', ...ADAM, weightDecay: 0 } });
        release.unshift(() => ours.destroy());
        const state = await model.parameters.read();
        const checkpoint = await model.save();
        const { images, labels } = benchBatch(batch, h, classes);
        const feeds = { images, labels };

        const tf = ctx.tfjs.tf;
        ensureLangSegGradients(tf);
        const tfjs = interpretGraph(tf, built.graph, [terms.total], state);
        release.unshift(() => tfjs.dispose());
        const optimizer = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
        release.unshift(() => optimizer.dispose());
        const laid = tfjs.layoutFeeds(feeds);

        const tokens = model.tokenizer.encode(flattenDescriptors(BENCH_CLASSES).texts);
        return {
          ours,
          oursFeeds: feeds,
          flops,
          tfjs,
          async oursStep() {
            checkLabels(labels, classes, cfg.ignoreLabel);
            return (await ours.run(feeds))[terms.total.name]![0]!;
          },
          // tidy frees the uploads and intermediates; minimize() frees the gradients; the loss is kept.
          tfjsStep: () => tf.tidy(() => optimizer.minimize(() => tf.reshape(tfjs.run(laid)[0]!, []) as Scalar, true, tfjs.variables) as Scalar),
          pytorch: {
            checkpoint,
            images,
            labels,
            imageShape: [batch, 3, h, w],
            tokens: { offsets: tokens.bagOffsets, ids: tokens.bagIds, mask: tokens.mask },
            groups: built.groups,
            adam: ADAM,
          },
          release: () => release.forEach((f) => f()),
        };
      } catch (err) {
        release.forEach((f) => f());
        throw err;
      }
    },
  };
}

/** Every case of the suite, in report order. */
export const langSegTrainCases: readonly LangSegTrainCase[] = [langSegTrainCase({ preset: 'tiny', batch: 4 })];

/** The `train` suite for bench/main.ts. */
export const langSegTrainSuite: Suite = {
  cases: langSegTrainCases.map((tc) => ({ op: tc.op, shape: tc.shape, run: (ctx, timing) => runLangSegTrain(tc, ctx, timing) })),
  summary: (results) => formatTrainSummary(results as readonly TrainBenchResult[]),
};
