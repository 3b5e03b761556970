/**
 * One training run from the command line (`train` and `demo`): open the data, create or resume the model,
 * train with progress, periodic validation and checkpoints, stop cleanly on Ctrl-C (checkpoint saved, how
 * to resume printed), then evaluate and write the report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluate } from '../app/evaluate.js';
import { trainLoop } from '../app/train-loop.js';
import type { LangsegDevice } from '../device/device.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { resolveConfig, type ConfigOverrides, type PresetName } from '../model/config.js';
import { LangSegModel } from '../model/model.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { CommandContext } from './command.js';
import { openDataSource } from './data-source.js';
import { CHECKPOINT_FILE, prepareRunDir, readRunSettings, RUN_FILE, writeJson, writeRunReport } from './outputs.js';
import { formatDuration, Progress } from './progress.js';

/** Everything that defines a run; stored in run.json so --resume needs only --out. */
export interface RunSettings {
  data: string;
  descriptors?: string;
  preset: PresetName;
  overrides: ConfigOverrides;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  validateEvery: number;
  checkpointEvery: number;
  syntheticTrain?: number;
  syntheticVal?: number;
}

export interface RunResult {
  miou: number;
  pixelAccuracy: number;
  stopped: boolean;
  dir: string;
  seconds: number;
}

export async function runTraining(
  ctx: CommandContext,
  device: LangsegDevice,
  requested: RunSettings,
  options: { out: string; resume: boolean; force: boolean; title: string },
): Promise<RunResult> {
  const started = performance.now();
  const dir = options.out;
  const mode = await prepareRunDir(dir, options);
  const settings = mode === 'resume' ? await readRunSettings<RunSettings>(dir) : requested;
  if (mode === 'resume' && requested.steps > settings.steps) settings.steps = requested.steps; // resume may extend a run
  const config = resolveConfig(settings.preset, settings.overrides);
  const source = await openDataSource(settings.data, {
    size: config.imageSize[0],
    syntheticTrain: settings.syntheticTrain,
    syntheticVal: settings.syntheticVal,
    descriptorsFile: settings.descriptors,
  });
  const rt = new KernelRuntime(device);
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  let model: LangSegModel;
  if (mode === 'resume') {
    // load() verifies the checksums and that every parameter is there with its shape.
    model = await LangSegModel.load(rt, await readFile(checkpointPath));
    ctx.log(`resuming ${dir} at step ${model.parameters.step} of ${settings.steps}`);
  } else {
    await writeJson(join(dir, RUN_FILE), settings);
    model = LangSegModel.create(rt, config, source.descriptors, { seed: settings.seed });
  }
  const desc = model.descriptors;
  ctx.log(
    `${options.title}: ${source.name} (${source.train.size} train / ${source.val.size} val images, ${desc.classes.length} classes, ` +
      `${desc.descriptors.flat().length} descriptors), model ${config.preset} ${config.imageSize.join('x')} ${config.backbone}, ` +
      `${model.parameters.totalFloats.toLocaleString('en')} parameters, batch ${settings.batch}, ${settings.steps} steps`,
  );

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130); // a second Ctrl-C: stop now
    stopRequested = true;
    ctx.error('\nstopping after this step; saving a checkpoint (Ctrl-C again to quit without saving)');
  };
  process.on('SIGINT', onSigint);
  const progress = new Progress(settings.steps, !!process.stdout.isTTY, (t) => process.stdout.write(t), ctx.log);
  let history;
  try {
    history = await trainLoop(model, source.train, {
      steps: settings.steps,
      batch: settings.batch,
      lr: settings.lr,
      seed: settings.seed,
      validateEvery: settings.validateEvery,
      validation: { dataset: source.val },
      checkpointEvery: settings.checkpointEvery,
      checkpoint: async (m) => writeFileAtomic(checkpointPath, await m.save()),
      onStep: (s) => progress.update(s.step, `loss ${s.losses.total.toFixed(4)} lr ${s.lr.toExponential(2)} ${s.imagesPerSecond.toFixed(1)} img/s`),
      onValidate: (step, r) => {
        progress.finish();
        ctx.log(`step ${step}: validation mIoU ${r.miou.toFixed(3)}, pixel accuracy ${r.pixelAccuracy.toFixed(3)}`);
      },
      shouldStop: () => stopRequested,
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
  }
  if (history.stopped) {
    ctx.log(`stopped at step ${model.parameters.step}; the checkpoint is ${checkpointPath}. Continue with: langseg train --resume --out ${dir}`);
  }
  const result = history.lastValidation ?? (await evaluate(model, source.val, { batch: settings.batch }));
  const seconds = (performance.now() - started) / 1000;
  const files = await writeRunReport(dir, model, history, result, source.val, [
    `data: ${source.name}, ${desc.classes.length} classes; model: ${config.preset} (${config.backbone}, ${config.imageSize.join('x')})`,
    `${model.parameters.step} steps of batch ${settings.batch}, lr ${settings.lr}, seed ${settings.seed}; ${formatDuration(seconds)} on ${device.adapter.description || 'this adapter'}`,
  ]);
  ctx.log(`validation mIoU ${result.miou.toFixed(3)}, pixel accuracy ${result.pixelAccuracy.toFixed(3)} (${result.samples} images)`);
  ctx.log(`wrote ${checkpointPath}, ${files.metricsFile}, curves, overlays and ${files.reportFile}`);
  model.destroy();
  return { miou: result.miou, pixelAccuracy: result.pixelAccuracy, stopped: history.stopped, dir, seconds };
}
