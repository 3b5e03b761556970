/** `langseg eval`: mIoU, pixel accuracy, per-class IoU and the confusion matrix of a checkpoint on a dataset. */
import { readFile } from 'node:fs/promises';
import { evaluate } from '../app/evaluate.js';
import type { Dataset } from '../data/dataset.js';
import { LangsegError } from '../errors.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { LangSegModel } from '../model/model.js';
import { intOption, UsageError, type Command } from './command.js';
import { openDataSource } from './data-source.js';
import { writeJson } from './outputs.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint on a dataset (mIoU, pixel accuracy, per-class IoU)',
  help: `usage: langseg eval --checkpoint FILE [--data synthetic|ade20k:DIR|cocostuff:DIR] [--limit N] [--batch N] [--json FILE]

Segments the validation split (centre crops at the model's input size) and prints mIoU (the mean over
classes of TP / (TP + FP + FN), over classes that occur in the labels or the predictions), pixel accuracy
and the IoU of each class. --json writes them with the confusion matrix. Where the dataset's classes
differ from the model's (a model trained on synthetic scenes, scored on ADE20K), pixels of classes the
model knows are scored and all others ignored.`,
  options: { checkpoint: { type: 'string' }, data: { type: 'string' }, limit: { type: 'string' }, batch: { type: 'string' }, json: { type: 'string' } },
  needsDevice: true,
  async run(ctx) {
    const path = ctx.values.checkpoint as string | undefined;
    if (!path) throw new UsageError('--checkpoint FILE is required');
    const bytes = await readFile(path).catch((e: Error) => {
      throw new LangsegError(`cannot read checkpoint ${path}: ${e.message}`);
    });
    const model = await LangSegModel.load(new KernelRuntime(ctx.device!), bytes);
    try {
      const source = await openDataSource((ctx.values.data as string | undefined) ?? 'synthetic', { size: model.config.imageSize[0] });
      const dataset = remapToModel(source.val, model.descriptors.classes);
      const limit = ctx.values.limit === undefined ? undefined : intOption(ctx.values, 'limit', 0, 1, 1e9);
      const result = await evaluate(model, dataset, { batch: intOption(ctx.values, 'batch', 4, 1, 256), limit });
      ctx.log(`${source.name}: ${result.samples} images, mIoU ${result.miou.toFixed(4)}, pixel accuracy ${result.pixelAccuracy.toFixed(4)}`);
      for (const [name, iou] of Object.entries(result.perClassIoU)) if (iou !== null) ctx.log(`  ${name.padEnd(24)} ${iou.toFixed(4)}`);
      if (ctx.values.json) {
        await writeJson(ctx.values.json as string, { miou: result.miou, pixel_accuracy: result.pixelAccuracy, per_class_iou: result.perClassIoU, samples: result.samples, confusion: result.confusion.toJSON() });
        ctx.log(`wrote ${ctx.values.json as string}`);
      }
      return 0;
    } finally {
      model.destroy();
    }
  },
};

/**
 * A dataset relabelled to the model's classes: a dataset class the model knows keeps its meaning under the
 * model's id; others become 255 (ignored). Lets a model trained on synthetic scenes (ADE20K names) be
 * scored on ADE20K.
 */
export function remapToModel(dataset: Dataset, classes: readonly string[]): Dataset {
  const same = dataset.classes.length === classes.length && dataset.classes.every((c, i) => c === classes[i]);
  if (same) return dataset;
  const lut = new Uint8Array(256).fill(255);
  let known = 0;
  dataset.classes.forEach((c, i) => {
    const j = classes.indexOf(c);
    if (j >= 0) {
      lut[i] = j;
      known++;
    }
  });
  if (known === 0) throw new LangsegError(`the model's classes (${classes.slice(0, 6).join(', ')}...) share none with ${dataset.name}'s`);
  return {
    name: `${dataset.name} (as the model's ${classes.length} classes)`,
    classes,
    size: dataset.size,
    async get(index) {
      const s = await dataset.get(index);
      return { ...s, labels: s.labels.map((v) => lut[v]!) };
    },
  };
}
