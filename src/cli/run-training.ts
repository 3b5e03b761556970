/**
 * One training run from the command line (`train` and `demo`): open the data, create or resume the model,
 * check that its step fits the device, train with progress, periodic validation and checkpoints, stop
 * cleanly on Ctrl-C (checkpoint saved, how to resume printed), then evaluate and write the report.
 *
 * What it survives: a kill at any moment (checkpoints are atomic and carry the data position, so --resume
 * continues exactly; partial files of killed writes are removed at start); a lost device (a new one is
 * acquired, the executables rebuilt and the last checkpoint reloaded, a bounded number of times, each said
 * in the log); NaN/Inf with --check-finite (the run stops naming the first non-finite tensor, the last good
 * checkpoint kept).
 */
import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { evaluate, type EvalResult } from '../app/evaluate.js';
import { classBalanceWeights, classPixelFrequencies } from '../data/class-balance.js';
import { diagnoseNonFinite } from '../app/non-finite.js';
import { readTrainingState, trainingStateMetadata, type TrainingState } from '../app/training-state.js';
import { trainLoop, type TrainHistory } from '../app/train-loop.js';
import { getDevice, type LangsegDevice } from '../device/device.js';
import { DeviceLostError, NonFiniteError } from '../errors.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { resolveConfig, type ConfigOverrides, type PresetName } from '../model/config.js';
import { assertTrainingFits } from '../model/fit.js';
import { LangSegModel } from '../model/model.js';
import { removeStaleTemporaries, writeFileAtomic } from '../io/atomic-file.js';
import { parseCheckpoint } from '../io/checkpoint.js';
import type { CommandContext } from './command.js';
import { openDataSource } from './data-source.js';
import { CHECKPOINT_FILE, prepareRunDir, readRunSettings, RUN_FILE, writeJson, writeRunReport, type ReportFiles } from './outputs.js';
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
  /** Check for NaN/Inf every this many steps (and before every checkpoint); 0 or absent: never. */
  checkFiniteEvery?: number;
  /** Refuse a training step whose buffers need more than this (MiB); default: half the RAM on CPU adapters. */
  memoryBudgetMiB?: number;
  /**
   * Weigh the cross-entropy terms by class frequency^-P (classBalanceWeights), counted over the first
   * CLASS_BALANCE_SAMPLES training samples when the run starts; the weights land in the model config (and
   * run.json), so a resumed run and the checkpoint keep them. 0 or absent: unweighted.
   */
  classBalance?: number;
}

/** Training samples whose labels are counted for --class-balance. */
export const CLASS_BALANCE_SAMPLES = 256;

export interface RunResult {
  miou: number;
  pixelAccuracy: number;
  stopped: boolean;
  dir: string;
  seconds: number;
  /** Devices lost and recovered from during the run. */
  deviceLosses: number;
}

export interface RunOptions {
  out: string;
  resume: boolean;
  force: boolean;
  title: string;
  /** Recoveries from a lost device before giving up (default 3). */
  deviceRetries?: number;
  /** How a replacement device is acquired (default getDevice()). */
  acquireDevice?: () => Promise<LangsegDevice>;
  /** With resume: settings given again on the command line that may change without changing the result. */
  resumeOverrides?: Partial<Pick<RunSettings, 'checkFiniteEvery' | 'memoryBudgetMiB' | 'validateEvery' | 'checkpointEvery'>>;
}

/** CPU adapters (lavapipe, SwiftShader) allocate GPU buffers in RAM: by default a step may use half of it. */
function defaultBudget(device: LangsegDevice): number | undefined {
  return device.adapter.isSoftware ? Math.floor(totalmem() / 2) : undefined;
}

export async function runTraining(ctx: CommandContext, device: LangsegDevice, requested: RunSettings, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const dir = options.out;
  const mode = await prepareRunDir(dir, options);
  const partial = await removeStaleTemporaries(dir);
  if (partial.length > 0) ctx.log(`removed ${partial.length} partial file(s) of writes that were killed: ${partial.join(', ')}`);
  const settings = mode === 'resume' ? await readRunSettings<RunSettings>(dir) : requested;
  if (mode === 'resume' && requested.steps > settings.steps) settings.steps = requested.steps; // resume may extend a run
  if (mode === 'resume') Object.assign(settings, options.resumeOverrides);
  let config = resolveConfig(settings.preset, settings.overrides);
  const source = await openDataSource(settings.data, {
    size: config.imageSize[0],
    syntheticTrain: settings.syntheticTrain,
    syntheticVal: settings.syntheticVal,
    descriptorsFile: settings.descriptors,
  });
  if (mode === 'new' && settings.classBalance) {
    const frequencies = await classPixelFrequencies(source.train, CLASS_BALANCE_SAMPLES);
    const classWeights = classBalanceWeights(frequencies, settings.classBalance);
    settings.overrides = { ...settings.overrides, losses: { ...settings.overrides.losses, classWeights } };
    config = resolveConfig(settings.preset, settings.overrides);
    const range = `${Math.min(...classWeights).toFixed(2)}..${Math.max(...classWeights).toFixed(2)}`;
    ctx.log(`class balance ${settings.classBalance}: weights ${range} from the pixel counts of ${Math.min(CLASS_BALANCE_SAMPLES, source.train.size)} training images`);
  }
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  if (mode === 'new') await writeJson(join(dir, RUN_FILE), settings);

  /** The model from the last checkpoint, or (none written yet) a fresh one from the seed; the data position with it. */
  const openModel = async (gpu: LangsegDevice): Promise<{ model: LangSegModel; state: TrainingState | null }> => {
    const rt = new KernelRuntime(gpu);
    const bytes = await readFile(checkpointPath).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' && mode === 'new') return null;
      throw e;
    });
    if (!bytes) return { model: LangSegModel.create(rt, config, source.descriptors, { seed: settings.seed }), state: null };
    // load() verifies the checksums and that every parameter is there with its shape.
    return { model: await LangSegModel.load(rt, bytes), state: await readTrainingState(bytes) };
  };
  let gpu = device;
  const opened = await openModel(gpu);
  let model = opened.model;
  const state = opened.state;
  if (mode === 'resume') {
    ctx.log(`resuming ${dir} at step ${model.parameters.step} of ${settings.steps}`);
    // The checkpoint's data position is the truth: it was written with the weights it belongs to.
    if (state && (state.seed !== settings.seed || state.batch !== settings.batch)) {
      ctx.log(`the checkpoint was trained with seed ${state.seed}, batch ${state.batch} (run.json says ${settings.seed}, ${settings.batch}); continuing as the checkpoint`);
      Object.assign(settings, { seed: state.seed, batch: state.batch });
    }
  }
  const desc = model.descriptors;
  const budgetBytes = settings.memoryBudgetMiB ? settings.memoryBudgetMiB * 2 ** 20 : defaultBudget(device);
  const memory = assertTrainingFits(model, settings.batch, budgetBytes);
  ctx.log(
    `${options.title}: ${source.name} (${source.train.size} train / ${source.val.size} val images, ${desc.classes.length} classes, ` +
      `${desc.descriptors.flat().length} descriptors), model ${config.preset} ${config.imageSize.join('x')} ${config.backbone}, ` +
      `${model.parameters.totalFloats.toLocaleString('en')} parameters, batch ${settings.batch}, ${settings.steps} steps, ` +
      `${(memory.totalBytes / 2 ** 20).toFixed(0)} MiB of GPU buffers${budgetBytes ? ` (budget ${(budgetBytes / 2 ** 20).toFixed(0)} MiB)` : ''}`,
  );

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130); // a second Ctrl-C: stop now
    stopRequested = true;
    ctx.error('\nstopping after this step; saving a checkpoint (Ctrl-C again to quit without saving)');
  };
  process.on('SIGINT', onSigint);
  const progress = new Progress(settings.steps, !!process.stdout.isTTY, (t) => process.stdout.write(t), ctx.log);
  const history: TrainHistory = { losses: [], validations: [], stopped: false, lastValidation: null };
  const retries = options.deviceRetries ?? 3;
  const acquired: LangsegDevice[] = [];
  let deviceLosses = 0;
  let lostAt: DeviceLostError | null = null;
  let result: EvalResult;
  let files: ReportFiles;
  try {
    for (;;) {
      try {
        if (lostAt) {
          // A fresh device: rebuild everything on it from the last checkpoint (the steps since are redone,
          // on the same batches, so the run ends where an uninterrupted one would).
          model.destroy();
          gpu = await (options.acquireDevice ?? getDevice)();
          acquired.push(gpu);
          ({ model } = await openModel(gpu));
          const step = model.parameters.step;
          history.losses = history.losses.filter((l) => l.step <= step);
          history.validations = history.validations.filter((v) => v.step <= step);
          ctx.log(`device recovered: a new device (${gpu.adapter.description || gpu.adapter.vendor || 'adapter'}), executables rebuilt, continuing from the checkpoint at step ${step}`);
          lostAt = null;
        }
        await trainLoop(model, source.train, {
          steps: settings.steps,
          batch: settings.batch,
          lr: settings.lr,
          seed: settings.seed,
          validateEvery: settings.validateEvery,
          validation: { dataset: source.val },
          checkpointEvery: settings.checkpointEvery,
          checkpoint: async (m) => {
            const position = { seed: settings.seed, batch: settings.batch, batchesDone: m.parameters.step, steps: settings.steps, lr: settings.lr };
            await writeFileAtomic(checkpointPath, await m.save({ metadata: trainingStateMetadata(position) }));
          },
          onStep: (s) => progress.update(s.step, `loss ${s.losses.total.toFixed(4)} lr ${s.lr.toExponential(2)} ${s.imagesPerSecond.toFixed(1)} img/s`),
          onValidate: (step, r) => {
            progress.finish();
            ctx.log(`step ${step}: validation mIoU ${r.miou.toFixed(3)}, pixel accuracy ${r.pixelAccuracy.toFixed(3)}`);
          },
          shouldStop: () => stopRequested,
          checkFiniteEvery: settings.checkFiniteEvery,
          history,
        });
        result = history.lastValidation ?? (await evaluate(model, source.val, { batch: settings.batch }));
        files = await writeRunReport(dir, model, history, result, source.val, [
          `data: ${source.name}, ${desc.classes.length} classes; model: ${config.preset} (${config.backbone}, ${config.imageSize.join('x')})`,
          `${model.parameters.step} steps of batch ${settings.batch}, lr ${settings.lr}, seed ${settings.seed}; ${formatDuration((performance.now() - started) / 1000)} on ${gpu.adapter.description || 'this adapter'}`,
        ]);
        break;
      } catch (err) {
        if (err instanceof NonFiniteError) throw await explainNonFinite(err);
        if (!(err instanceof DeviceLostError)) throw err;
        progress.finish();
        if (deviceLosses >= retries) {
          throw new DeviceLostError(err.reason, `lost again after ${retries} recoveries; giving up. Check the GPU (driver resets, other processes), then continue with: langseg train --resume --out ${dir}`);
        }
        deviceLosses++;
        lostAt = err;
        ctx.error(`device lost at step ${model.parameters.step} (${err.reason}); acquiring a new device and continuing from the last checkpoint (recovery ${deviceLosses} of at most ${retries})`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
    model.destroy();
    for (const d of acquired) d.destroy();
  }

  /** The first non-finite step and tensor, by a debug re-run from the last good checkpoint, in a message that says what was kept. */
  async function explainNonFinite(err: NonFiniteError): Promise<NonFiniteError> {
    progress.finish();
    ctx.error(`${err.message}; re-running the steps since the last checkpoint to find where`);
    const kept = await readFile(checkpointPath).catch(() => null);
    const lastGood = kept ?? (await initialCheckpoint());
    const found = await diagnoseNonFinite(model, source.train, settings, lastGood, err.step);
    const keep = kept ? `the checkpoint ${checkpointPath} keeps step ${(await parseCheckpoint(kept)).step}, the last good one` : 'no checkpoint had been written yet';
    return new NonFiniteError(
      `training stopped: ${found.message}. ${keep}. Try a lower --lr, check the data, or continue with --resume --check-finite 1 to stop at the first bad step`,
      found.step,
      found.tensor,
    );
  }

  /** The weights the run started from (the same seed), as checkpoint bytes. */
  async function initialCheckpoint(): Promise<Uint8Array> {
    const fresh = LangSegModel.create(model.rt, config, source.descriptors, { seed: settings.seed });
    try {
      return await fresh.save();
    } finally {
      fresh.destroy();
    }
  }

  if (history.stopped) {
    ctx.log(`stopped at step ${model.parameters.step}; the checkpoint is ${checkpointPath}. Continue with: langseg train --resume --out ${dir}`);
  }
  const seconds = (performance.now() - started) / 1000;
  ctx.log(`validation mIoU ${result!.miou.toFixed(3)}, pixel accuracy ${result!.pixelAccuracy.toFixed(3)} (${result!.samples} images)`);
  ctx.log(`wrote ${checkpointPath}, ${files!.metricsFile}, curves, overlays and ${files!.reportFile}`);
  return { miou: result!.miou, pixelAccuracy: result!.pixelAccuracy, stopped: history.stopped, dir, seconds, deviceLosses };
}
