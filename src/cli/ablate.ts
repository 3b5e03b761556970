/**
 * `langseg ablate`: the paper's ablation table on our synthetic benchmark. Every variant (the full model and
 * each switch on its own) trains with the same budget, data, seed and schedule, then is evaluated on the
 * same validation scenes; the table of mIoU and pixel accuracy goes to the terminal, ablation.md and
 * ablation.json.
 */
import { join } from 'node:path';
import type { Ablation } from '../model/config.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { intOption, numberOption, type Command } from './command.js';
import { prepareRunDir, writeJson } from './outputs.js';
import { SYNTHETIC_RECIPE } from './recipe.js';
import { runTraining } from './run-training.js';

const VARIANTS: { name: string; ablation: Partial<Ablation> }[] = [
  { name: 'full model', ablation: {} },
  { name: 'no language (learned class vectors)', ablation: { noLanguage: true } },
  { name: 'single descriptor (class name only)', ablation: { singleDescriptor: true } },
  { name: 'no multi-scale (one level, no L_ms)', ablation: { noMultiscale: true } },
  { name: 'no triplet loss', ablation: { noTriplet: true } },
  { name: 'no generative loss', ablation: { noGen: true } },
];

export const ablateCommand: Command = {
  name: 'ablate',
  summary: 'train each ablation variant with the same budget and tabulate mIoU and pixel accuracy',
  help: `usage: langseg ablate [--steps N] [--batch N] [--lr X] [--seed N] [--out DIR] [--force]

Trains the tiny model on synthetic scenes once per variant (full; no language; single descriptor; no
multi-scale; no triplet loss; no generative loss) with equal budgets (--steps, default 300, batch 4),
the same data order and the demo's recipe (peak rate ${SYNTHETIC_RECIPE.lr}, class balance ${SYNTHETIC_RECIPE.classBalance}), evaluates
each on the same ${SYNTHETIC_RECIPE.syntheticVal} validation scenes, and writes DIR (default runs/ablate): one run folder per
variant, ablation.md and ablation.json.`,
  options: { steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
  needsDevice: true,
  async run(ctx) {
    const steps = intOption(ctx.values, 'steps', 300, 1, 1_000_000);
    const batch = intOption(ctx.values, 'batch', SYNTHETIC_RECIPE.batch, 1, 256);
    const lr = numberOption(ctx.values, 'lr', SYNTHETIC_RECIPE.lr, 0, 1);
    const seed = intOption(ctx.values, 'seed', 0, 0, 2 ** 30);
    const { classBalance, syntheticTrain, syntheticVal } = SYNTHETIC_RECIPE;
    const out = (ctx.values.out as string | undefined) ?? 'runs/ablate';
    await prepareRunDir(out, { force: !!ctx.values.force });
    const rows: { variant: string; miou: number; pixel_accuracy: number; seconds: number }[] = [];
    for (const [i, v] of VARIANTS.entries()) {
      ctx.log(`\n[${i + 1}/${VARIANTS.length}] ${v.name}`);
      const r = await runTraining(
        ctx,
        ctx.device!,
        { data: 'synthetic', preset: 'tiny', overrides: { ablation: v.ablation }, steps, batch, lr, seed, classBalance, validateEvery: steps, checkpointEvery: steps, syntheticTrain, syntheticVal },
        { out: join(out, `variant-${i}`), resume: false, force: true, title: v.name },
      );
      if (r.stopped) return 130;
      rows.push({ variant: v.name, miou: r.miou, pixel_accuracy: r.pixelAccuracy, seconds: Math.round(r.seconds) });
    }
    const table = [
      `Ablation on synthetic scenes: tiny model, ${steps} steps of batch ${batch}, lr ${lr}, class balance ${classBalance}, seed ${seed}; ${syntheticVal} validation scenes.`,
      '',
      '| variant | mIoU | pixel accuracy | train + eval time |',
      '| --- | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.variant} | ${r.miou.toFixed(3)} | ${r.pixel_accuracy.toFixed(3)} | ${r.seconds} s |`),
    ].join('\n');
    await writeFileAtomic(join(out, 'ablation.md'), `${table}\n`);
    await writeJson(join(out, 'ablation.json'), { steps, batch, lr, classBalance, seed, rows });
    ctx.log(`\n${table}\n\nwrote ${join(out, 'ablation.md')} and ablation.json`);
    return 0;
  },
};
