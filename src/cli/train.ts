/** `langseg train`: train a LangSeg model on synthetic scenes, ADE20K or COCO-Stuff. */
import type { Ablation, PresetName } from '../model/config.js';
import { PRESETS } from '../model/config.js';
import { intOption, numberOption, UsageError, type Command, type CommandContext } from './command.js';
import { SYNTHETIC_RECIPE } from './recipe.js';
import { runTraining, type RunSettings } from './run-training.js';

const ABLATIONS: [string, keyof Ablation][] = [
  ['no-language', 'noLanguage'],
  ['no-multiscale', 'noMultiscale'],
  ['no-triplet', 'noTriplet'],
  ['no-gen', 'noGen'],
  ['single-descriptor', 'singleDescriptor'],
];

export const ABLATION_OPTIONS = Object.fromEntries(ABLATIONS.map(([flag]) => [flag, { type: 'boolean' as const }]));

/** The ablation switches set on the command line. */
export function ablationFrom(values: CommandContext['values']): Partial<Ablation> {
  return Object.fromEntries(ABLATIONS.filter(([flag]) => values[flag]).map(([, key]) => [key, true]));
}

export function presetFrom(values: CommandContext['values']): PresetName {
  const preset = (values.model as string | undefined) ?? 'tiny';
  if (!(preset in PRESETS)) throw new UsageError(`--model must be one of ${Object.keys(PRESETS).join(', ')}; got '${preset}'`);
  return preset as PresetName;
}

/** The flags of the settings a resumed run may change. */
const RESUMABLE_FLAGS = { checkFiniteEvery: 'check-finite', memoryBudgetMiB: 'memory-budget', validateEvery: 'validate-every', checkpointEvery: 'checkpoint-every' } as const;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model (synthetic scenes, ADE20K or COCO-Stuff)',
  help: `usage: langseg train [--data synthetic|ade20k:DIR|cocostuff:DIR] [--model tiny|small|base] [--backbone cnn|vit]
                     [--steps N] [--batch N] [--lr X] [--seed N] [--out DIR] [--checkpoint-every N]
                     [--validate-every N] [--val-images N] [--descriptors FILE] [--resume] [--force]
                     [--size N] [--class-balance P] [--check-finite N] [--memory-budget MiB] [--device-retries N]
                     [ablation switches]

Trains LangSeg and writes DIR (default runs/train): checkpoint.safetensors, run.json (the settings, so
--resume needs only --out), metrics.json (miou, pixel_accuracy, per-class IoU, confusion matrix),
history.json, loss.png, miou.png, overlays/ and report.html.

  --data              synthetic (default), ade20k:DIR (ADEChallengeData2016 layout) or cocostuff:DIR
                      (images/{train,val}2017 + stuffthingmaps_trainval2017/{train,val}2017)
  --model             preset (default tiny: 128x128, CNN 16/32/64/128, D = 64)
  --backbone          cnn (default) or vit
  --size N            image side in pixels, a multiple of 32 (default: the preset's, 128 for tiny)
  --steps             training steps (default ${SYNTHETIC_RECIPE.steps}); --batch images per step (default ${SYNTHETIC_RECIPE.batch})
  --lr                peak learning rate (default ${SYNTHETIC_RECIPE.lr}; warm-up then cosine)
  --checkpoint-every  save the checkpoint every N steps (default 100; always at the end and on Ctrl-C)
  --validate-every    validate every N steps (default 100)
  --val-images N      synthetic validation scenes (default 64)
  --descriptors FILE  a descriptor file instead of the built-in descriptors (see docs/DESCRIPTORS.md)
  --class-balance P   weigh each class's pixels by its pixel frequency^-P in the cross-entropy losses (0.5
                      lifts rare classes such as chair or door; counted over the first 256 training images,
                      capped at 10x apart, kept in the checkpoint; default 0: unweighted; the demo uses ${SYNTHETIC_RECIPE.classBalance})
  --resume            continue the run in --out from its checkpoint (same data order, exactly)
  --force             overwrite a non-empty --out
  --check-finite N    check for NaN/Inf every N steps and before each checkpoint (one GPU reduction); on a
                      hit, stop naming the first non-finite tensor (a debug re-run of the step) and keep
                      the last good checkpoint (default 0: off)
  --memory-budget MiB refuse a training step whose GPU buffers need more, saying which batch or --size
                      fits (default: half the RAM on CPU adapters such as lavapipe; none on GPUs)
  --device-retries N  when the GPU device is lost, acquire a new one and continue from the last
                      checkpoint, at most N times (default 3)
  --no-language --no-multiscale --no-triplet --no-gen --single-descriptor: ablation switches

Ctrl-C stops after the current step, saves the checkpoint and prints how to resume. Checkpoints are
written atomically and carry the data position, so even a killed run resumes exactly with --resume.`,
  options: {
    data: { type: 'string' },
    model: { type: 'string' },
    backbone: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'validate-every': { type: 'string' },
    'val-images': { type: 'string' },
    descriptors: { type: 'string' },
    resume: { type: 'boolean' },
    force: { type: 'boolean' },
    size: { type: 'string' },
    'class-balance': { type: 'string' },
    'check-finite': { type: 'string' },
    'memory-budget': { type: 'string' },
    'device-retries': { type: 'string' },
    ...ABLATION_OPTIONS,
  },
  needsDevice: true,
  async run(ctx) {
    const { values } = ctx;
    const backbone = (values.backbone as string | undefined) ?? 'cnn';
    if (backbone !== 'cnn' && backbone !== 'vit') throw new UsageError(`--backbone must be cnn or vit, got '${backbone}'`);
    const size = values.size === undefined ? undefined : intOption(values, 'size', 0, 32, 8192);
    if (size !== undefined && size % 32 !== 0) throw new UsageError(`--size must be a multiple of 32, got ${size}`);
    const settings: RunSettings = {
      data: (values.data as string | undefined) ?? 'synthetic',
      descriptors: values.descriptors as string | undefined,
      preset: presetFrom(values),
      overrides: { backbone, ablation: ablationFrom(values), ...(size ? { imageSize: [size, size] as [number, number] } : {}) },
      steps: intOption(values, 'steps', SYNTHETIC_RECIPE.steps, 1, 10_000_000),
      batch: intOption(values, 'batch', SYNTHETIC_RECIPE.batch, 1, 1024),
      lr: numberOption(values, 'lr', SYNTHETIC_RECIPE.lr, 0, 1),
      seed: intOption(values, 'seed', 0, 0, 2 ** 30),
      validateEvery: intOption(values, 'validate-every', 100, 1, 10_000_000),
      checkpointEvery: intOption(values, 'checkpoint-every', 100, 1, 10_000_000),
      syntheticVal: intOption(values, 'val-images', 64, 1, 100_000),
      checkFiniteEvery: intOption(values, 'check-finite', 0, 0, 10_000_000),
      classBalance: numberOption(values, 'class-balance', 0, 0, 2),
      ...(values['memory-budget'] !== undefined ? { memoryBudgetMiB: numberOption(values, 'memory-budget', 0, 0, 2 ** 30) } : {}),
    };
    const out = (values.out as string | undefined) ?? 'runs/train';
    const result = await runTraining(ctx, ctx.device!, settings, {
      out,
      resume: !!values.resume,
      force: !!values.force,
      title: 'train',
      deviceRetries: intOption(values, 'device-retries', 3, 0, 100),
      // What a resumed run may change: how it checks and saves, never what it computes.
      resumeOverrides: Object.fromEntries(
        (['checkFiniteEvery', 'memoryBudgetMiB', 'validateEvery', 'checkpointEvery'] as const)
          .filter((key) => values[RESUMABLE_FLAGS[key]] !== undefined)
          .map((key) => [key, settings[key]]),
      ),
    });
    return result.stopped ? 130 : 0;
  },
};
