/**
 * The browser training check's run, shared by the page and Node so both train exactly the same thing:
 * a fresh tiny model (seed 0) stepped repeatedly on one fixed batch of synthetic scenes.
 */
import { builtinDescriptors, KernelRuntime, LangSegModel, renderSyntheticScene, resolveConfig, subsetDescriptors, SYNTHETIC_CLASSES } from '../../../src/index.js';

export interface TrainingRun {
  size: number;
  batch: number;
  steps: number;
  lr: number;
}

/** One batch of synthetic scenes, the same every call. */
function fixedBatch(batch: number, size: number): { images: Float32Array; labels: Uint8Array } {
  const images = new Float32Array(batch * 3 * size * size);
  const labels = new Uint8Array(batch * size * size);
  for (let i = 0; i < batch; i++) {
    const scene = renderSyntheticScene(1000 + i, [size, size]);
    images.set(scene.image, i * 3 * size * size);
    labels.set(scene.labels, i * size * size);
  }
  return { images, labels };
}

/** The total loss of each step. */
export async function trainTinySteps(rt: KernelRuntime, run: TrainingRun): Promise<number[]> {
  const descriptors = subsetDescriptors(builtinDescriptors('ade20k'), [...SYNTHETIC_CLASSES]);
  const model = LangSegModel.create(rt, resolveConfig('tiny', { imageSize: [run.size, run.size] }), descriptors, { seed: 0 });
  const trainer = await model.trainer({ batch: run.batch, optimizer: { lr: run.lr } });
  const { images, labels } = fixedBatch(run.batch, run.size);
  const losses: number[] = [];
  try {
    for (let s = 0; s < run.steps; s++) losses.push((await trainer.step(images, labels)).total);
  } finally {
    trainer.destroy();
    model.destroy();
  }
  return losses;
}
