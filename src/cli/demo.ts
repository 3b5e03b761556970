/**
 * `langseg demo`: the first thing a user runs. Synthetic scenes -> train the tiny model -> evaluate ->
 * a run folder with the checkpoint, metrics, curves, overlays and report.html.
 */
import { intOption, type Command } from './command.js';
import { SYNTHETIC_RECIPE } from './recipe.js';
import { runTraining } from './run-training.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'train the tiny model on synthetic scenes and write a report (about 10 minutes on 2 CPU cores)',
  help: `usage: langseg demo [--out DIR] [--steps N] [--force]

Generates synthetic indoor and outdoor scenes (16 ADE20K classes, each described by built-in subclass
descriptors), trains the tiny LangSeg model on them, evaluates it on held-out scenes and writes DIR
(default runs/demo): checkpoint.safetensors, metrics.json (miou, pixel_accuracy, per-class IoU),
loss.png, miou.png, colour overlays with legends, and report.html. Open report.html in a browser.

  --steps N   training steps (default ${SYNTHETIC_RECIPE.steps})
  --force     overwrite an existing DIR`,
  options: { out: { type: 'string' }, steps: { type: 'string' }, force: { type: 'boolean' } },
  needsDevice: true,
  async run(ctx) {
    const { steps: defaultSteps, batch, lr, classBalance, syntheticTrain, syntheticVal } = SYNTHETIC_RECIPE;
    const steps = intOption(ctx.values, 'steps', defaultSteps, 1, 1_000_000);
    const out = (ctx.values.out as string | undefined) ?? 'runs/demo';
    const result = await runTraining(
      ctx,
      ctx.device!,
      { data: 'synthetic', preset: 'tiny', overrides: {}, steps, batch, lr, seed: 0, classBalance, validateEvery: Math.max(50, Math.round(steps / 2)), checkpointEvery: 100, syntheticTrain, syntheticVal },
      { out, resume: false, force: !!ctx.values.force, title: 'demo' },
    );
    if (!result.stopped) ctx.log(`demo finished in ${Math.round(result.seconds)} s: open ${out}/report.html`);
    return result.stopped ? 130 : 0;
  },
};
