/**
 * The run folder of `langseg train` / `demo`: checkpoint, run settings, metrics, curves, overlays and the
 * HTML report. Everything is written atomically; an existing folder is only reused with --resume or
 * overwritten with --force.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { overlay } from '../app/overlay.js';
import { lossCurve, miouCurve, pngOf, reportHtml } from '../app/report.js';
import type { EvalResult } from '../app/evaluate.js';
import type { TrainHistory } from '../app/train-loop.js';
import type { Dataset } from '../data/dataset.js';
import { batches } from '../data/loader.js';
import { LangsegError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { LangSegModel } from '../model/model.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const RUN_FILE = 'run.json';

/** Make `dir` ready for a run: new, or (with force) reused; 'resume' when it holds a checkpoint to continue. */
export async function prepareRunDir(dir: string, options: { force?: boolean; resume?: boolean }): Promise<'new' | 'resume'> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new LangsegError(`cannot read the output folder ${dir}: ${(e as Error).message}`);
  }
  if (options.resume) {
    if (!entries.includes(CHECKPOINT_FILE)) throw new LangsegError(`--resume: ${join(dir, CHECKPOINT_FILE)} does not exist; start a new run without --resume`);
    return 'resume';
  }
  if (entries.length > 0 && !options.force) {
    throw new LangsegError(`the output folder ${dir} already exists and is not empty; choose another --out, continue it with --resume, or overwrite with --force`);
  }
  await mkdir(dir, { recursive: true });
  return 'new';
}

export async function readRunSettings<T>(dir: string): Promise<T> {
  try {
    return JSON.parse(await readFile(join(dir, RUN_FILE), 'utf8')) as T;
  } catch (e) {
    throw new LangsegError(`--resume: cannot read ${join(dir, RUN_FILE)} (${(e as Error).message}); it is written when a run starts`);
  }
}

export const writeJson = (path: string, value: unknown) => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

export interface ReportFiles {
  metricsFile: string;
  reportFile: string;
}

/** metrics.json, history.json, the curves, overlays of the first validation images, and report.html. */
export async function writeRunReport(
  dir: string,
  model: LangSegModel,
  history: TrainHistory,
  result: EvalResult,
  val: Dataset,
  summary: string[],
  overlays = 6,
): Promise<ReportFiles> {
  const metricsFile = join(dir, 'metrics.json');
  await writeJson(metricsFile, {
    miou: result.miou,
    pixel_accuracy: result.pixelAccuracy,
    per_class_iou: result.perClassIoU,
    samples: result.samples,
    steps: model.parameters.step,
    confusion: result.confusion.toJSON(),
  });
  await writeJson(join(dir, 'history.json'), { losses: history.losses, validations: history.validations });
  await writeFileAtomic(join(dir, 'loss.png'), pngOf(lossCurve(history)));
  await writeFileAtomic(join(dir, 'miou.png'), pngOf(miouCurve(history)));
  await mkdir(join(dir, 'overlays'), { recursive: true });
  const [h, w] = model.config.imageSize;
  const shown: { file: string; caption: string }[] = [];
  const count = Math.min(overlays, val.size);
  if (count > 0) {
    const predictor = await model.predictor(count);
    try {
      const indices = Array.from({ length: count }, (_, i) => i);
      for await (const b of batches(val, { batch: count, size: [h, w], train: false, indices })) {
        const { classIds } = await predictor.predict(b.images);
        for (let i = 0; i < b.ids.length; i++) {
          const plane = h * w;
          const image = b.images.subarray(i * 3 * plane, (i + 1) * 3 * plane);
          const predicted = overlay(image, classIds.subarray(i * plane, (i + 1) * plane), w, h, model.descriptors.classes);
          const truth = overlay(image, Uint8Array.from(b.labels.subarray(i * plane, (i + 1) * plane)), w, h, model.descriptors.classes);
          const name = b.ids[i]!.replace(/[^\w.-]/g, '_');
          await writeFileAtomic(join(dir, 'overlays', `${name}.png`), pngOf(predicted));
          await writeFileAtomic(join(dir, 'overlays', `${name}.truth.png`), pngOf(truth));
          shown.push({ file: `overlays/${name}.png`, caption: `${b.ids[i]}: prediction` }, { file: `overlays/${name}.truth.png`, caption: `${b.ids[i]}: ground truth` });
        }
      }
    } finally {
      predictor.destroy();
    }
  }
  const reportFile = join(dir, 'report.html');
  await writeFileAtomic(
    reportFile,
    reportHtml({
      title: 'LangSeg training report',
      summary,
      miou: result.miou,
      pixelAccuracy: result.pixelAccuracy,
      perClassIoU: result.perClassIoU,
      curves: [
        { file: 'loss.png', caption: 'training loss (running mean of 10 steps)' },
        { file: 'miou.png', caption: 'validation mIoU and pixel accuracy' },
      ],
      overlays: shown,
    }),
  );
  return { metricsFile, reportFile };
}
