/**
 * "Train here": fine-tune the loaded model on fresh synthetic scenes in the page, through the same training
 * loop as `langseg train` (warm-up + cosine learning rate, AdamW, gradient clipping). Each run is a fresh
 * fine-tuning run: step 0 and zero AdamW moments, so its warm-up and bias correction start over.
 */
import { app, DataError, syntheticDataset, SYNTHETIC_CLASSES, type Dataset, type LangSegModel, type StepLosses } from 'langseg';

export interface FineTuneOptions {
  steps: number;
  batch: number;
  lr: number;
  /** Picks the synthetic scenes; a new seed per run shows the model new scenes. */
  seed: number;
  onStep?: (step: number, losses: StepLosses) => void;
  shouldStop?: () => boolean;
}

/**
 * Synthetic scenes with their labels renumbered into `classes` by name; pixels of a class the model does
 * not have are ignored (255), so any checkpoint that shares some classes with the scenes can fine-tune.
 */
export function syntheticScenesFor(classes: readonly string[], size: [number, number], seed: number): Dataset {
  const scenes = syntheticDataset({ split: 'train', count: 4096, size, seed });
  const index = new Map(classes.map((name, c) => [name, c]));
  const map = SYNTHETIC_CLASSES.map((name) => index.get(name) ?? 255);
  if (map.every((c) => c === 255)) {
    throw new DataError(`this model has none of the synthetic scenes' classes (${SYNTHETIC_CLASSES.join(', ')}), so it cannot fine-tune on them`);
  }
  return {
    name: 'synthetic',
    classes,
    size: scenes.size,
    async get(i) {
      const sample = await scenes.get(i);
      return { ...sample, labels: sample.labels.map((l) => (l === 255 ? 255 : map[l]!)) };
    },
  };
}

/** Forget the optimizer state, so a new run starts like training from a weights-only checkpoint. */
function resetOptimizer(model: LangSegModel): void {
  const zeros = Object.fromEntries(model.parameters.entries.map((e) => [e.name, new Float32Array(e.size)]));
  model.parameters.write(zeros, 'moment1');
  model.parameters.write(zeros, 'moment2');
  model.parameters.step = 0;
}

/** Fine-tune `model` in place; the losses of every step. */
export async function fineTune(model: LangSegModel, options: FineTuneOptions): Promise<{ losses: number[]; stopped: boolean }> {
  const data = syntheticScenesFor(model.descriptors.classes, model.config.imageSize, options.seed);
  resetOptimizer(model);
  const losses: number[] = [];
  const history = await app.trainLoop(model, data, {
    steps: options.steps,
    batch: options.batch,
    lr: options.lr,
    seed: options.seed,
    onStep: (s) => {
      losses.push(s.losses.total);
      options.onStep?.(s.step, s.losses);
    },
    shouldStop: options.shouldStop,
  });
  return { losses, stopped: history.stopped };
}

/** The loss curve, for the page's canvas. */
export function lossPlot(losses: readonly number[], width: number, height: number): InstanceType<typeof app.Raster> {
  return app.linePlot([{ name: 'total loss', points: losses.map((l, i) => [i + 1, l] as const), color: [214, 80, 40] }], {
    title: 'fine-tuning loss',
    xLabel: 'step',
    width,
    height,
  });
}
