/** `langseg train`: train a LangSeg model on synthetic scenes, ADE20K or COCO-Stuff. */
import type { Ablation, PresetName } from '../model/config.js';
import { PRESETS } from '../model/config.js';
import { intOption, numberOption, UsageError, type Command, type CommandContext } from './command.js';
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

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model (synthetic scenes, ADE20K or COCO-Stuff)',
  help: `usage: langseg train [--data synthetic|ade20k:DIR|cocostuff:DIR] [--model tiny|small|base] [--backbone cnn|vit]
                     [--steps N] [--batch N] [--lr X] [--seed N] [--out DIR] [--checkpoint-every N]
                     [--validate-every N] [--val-images N] [--descriptors FILE] [--resume] [--force]
                     [ablation switches]

Trains LangSeg and writes DIR (default runs/train): checkpoint.safetensors, run.json (the settings, so
--resume needs only --out), metrics.json (miou, pixel_accuracy, per-class IoU, confusion matrix),
history.json, loss.png, miou.png, overlays/ and report.html.

  --data              synthetic (default), ade20k:DIR (ADEChallengeData2016 layout) or cocostuff:DIR
                      (images/{train,val}2017 + stuffthingmaps_trainval2017/{train,val}2017)
  --model             preset (default tiny: 128x128, CNN 16/32/64/128, D = 64)
  --backbone          cnn (default) or vit
  --steps             training steps (default 600); --batch images per step (default 4)
  --lr                peak learning rate (default 2e-3; warm-up then cosine)
  --checkpoint-every  save the checkpoint every N steps (default 100; always at the end and on Ctrl-C)
  --validate-every    validate every N steps (default 100)
  --val-images N      synthetic validation scenes (default 64)
  --descriptors FILE  a descriptor file instead of the built-in descriptors (see docs/DESCRIPTORS.md)
  --resume            continue the run in --out from its checkpoint (same data order, exactly)
  --force             overwrite a non-empty --out
  --no-language --no-multiscale --no-triplet --no-gen --single-descriptor: ablation switches

Ctrl-C stops after the current step, saves the checkpoint and prints how to resume.`,
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
    ...ABLATION_OPTIONS,
  },
  needsDevice: true,
  async run(ctx) {
    const { values } = ctx;
    const backbone = (values.backbone as string | undefined) ?? 'cnn';
    if (backbone !== 'cnn' && backbone !== 'vit') throw new UsageError(`--backbone must be cnn or vit, got '${backbone}'`);
    const settings: RunSettings = {
      data: (values.data as string | undefined) ?? 'synthetic',
      descriptors: values.descriptors as string | undefined,
      preset: presetFrom(values),
      overrides: { backbone, ablation: ablationFrom(values) },
      steps: intOption(values, 'steps', 600, 1, 10_000_000),
      batch: intOption(values, 'batch', 4, 1, 1024),
      lr: numberOption(values, 'lr', 2e-3, 0, 1),
      seed: intOption(values, 'seed', 0, 0, 2 ** 30),
      validateEvery: intOption(values, 'validate-every', 100, 1, 10_000_000),
      checkpointEvery: intOption(values, 'checkpoint-every', 100, 1, 10_000_000),
      syntheticVal: intOption(values, 'val-images', 64, 1, 100_000),
    };
    const out = (values.out as string | undefined) ?? 'runs/train';
    const result = await runTraining(ctx, ctx.device!, settings, { out, resume: !!values.resume, force: !!values.force, title: 'train' });
    return result.stopped ? 130 : 0;
  },
};
