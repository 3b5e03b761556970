/**
 * Evaluation: segment a dataset's samples (deterministic centre crops at the model's input size, as the
 * loader's eval mode gives them) and accumulate the confusion matrix; mIoU, pixel accuracy and per-class
 * IoU by the standard definitions (src/data/metrics.ts).
 */
import type { Dataset } from '../data/dataset.js';
import { batches } from '../data/loader.js';
import { ConfusionMatrix } from '../data/metrics.js';
import { DataError } from '../errors.js';
import type { LangSegModel } from '../model/model.js';

export interface EvalResult {
  miou: number;
  pixelAccuracy: number;
  /** IoU per class name (null where the class is neither in the labels nor predicted). */
  perClassIoU: Record<string, number | null>;
  confusion: ConfusionMatrix;
  samples: number;
}

export interface EvaluateOptions {
  batch?: number;
  /** Evaluate only the first `limit` samples. */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Evaluate `model` on `dataset`, whose classes must be the model's (same names, same order). */
export async function evaluate(model: LangSegModel, dataset: Dataset, options: EvaluateOptions = {}): Promise<EvalResult> {
  const classes = model.descriptors.classes;
  if (dataset.classes.length !== classes.length || dataset.classes.some((c, i) => c !== classes[i])) {
    throw new DataError(`evaluate: ${dataset.name} has classes [${dataset.classes.slice(0, 5).join(', ')}...] but the model [${classes.slice(0, 5).join(', ')}...]; evaluate on the classes the model was trained with`);
  }
  const batch = options.batch ?? 4;
  const total = Math.min(dataset.size, options.limit ?? dataset.size);
  const indices = Array.from({ length: total }, (_, i) => i);
  const confusion = new ConfusionMatrix(classes.length);
  const predictors = new Map<number, Awaited<ReturnType<LangSegModel['predictor']>>>();
  let done = 0;
  try {
    for await (const b of batches(dataset, { batch, size: model.config.imageSize, train: false, indices })) {
      const n = b.ids.length;
      let predictor = predictors.get(n);
      if (!predictor) predictors.set(n, (predictor = await model.predictor(n)));
      const { classIds } = await predictor.predict(b.images);
      confusion.add(classIds, b.labels);
      done += n;
      options.onProgress?.(done, total);
    }
  } finally {
    for (const p of predictors.values()) p.destroy();
  }
  const iou = confusion.perClassIoU();
  return {
    miou: confusion.miou(),
    pixelAccuracy: confusion.pixelAccuracy(),
    perClassIoU: Object.fromEntries(classes.map((c, i) => [c, Number.isNaN(iou[i]!) ? null : iou[i]!])),
    confusion,
    samples: done,
  };
}
