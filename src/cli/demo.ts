/**
 * `langseg demo`: the first thing a user runs. Synthetic scenes -> train the tiny model -> evaluate ->
 * a run folder with the checkpoint, metrics, curves, overlays and report.html.
 */
import { intOption, type Command } from './command.js';
import { runTraining } from './run-training.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'train the tiny model on synthetic scenes and write a report (about 10 minutes on 2 CPU cores)',
  help: `usage: langseg demo [--out DIR] [--steps N] [--force]

Generates synthetic indoor and outdoor scenes (16 ADE20K classes, each described by built-in subclass
descriptors), trains the tiny LangSeg model on them, evaluates it on held-out scenes and writes DIR
(default runs/demo): checkpoint.safetensors, metrics.json (miou, pixel_accuracy, per-class IoU),
loss.png, miou.png, colour overlays with legends, and report.html. Open report.html in a browser.

  --steps N   training steps (default 420)
  --force     overwrite an existing DIR`,
  options: { out: { type: 'string' }, steps: { type: 'string' }, force: { type: 'boolean' } },
  needsDevice: true,
  async run(ctx) {
    // 420 steps of batch 4 (~1.2 s each on 2 CPU cores under lavapipe) plus start-up, one mid-run and one
    // final validation and the report fit the 10 minutes of issue #7 (600 steps took ~14). Peak rate 1e-3 ended
    // best over such a short run: mIoU 0.38 at 420 steps, against 0.37 at 450 with 2e-3 and 0.25 at 360 with 5e-3.
    const steps = intOption(ctx.values, 'steps', 420, 1, 1_000_000);
    const out = (ctx.values.out as string | undefined) ?? 'runs/demo';
    const result = await runTraining(
      ctx,
      ctx.device!,
      { data: 'synthetic', preset: 'tiny', overrides: {}, steps, batch: 4, lr: 1e-3, seed: 0, validateEvery: Math.max(50, Math.round(steps / 2)), checkpointEvery: 100, syntheticTrain: 4096, syntheticVal: 64 },
      { out, resume: false, force: !!ctx.values.force, title: 'demo' },
    );
    if (!result.stopped) ctx.log(`demo finished in ${Math.round(result.seconds)} s: open ${out}/report.html`);
    return result.stopped ? 130 : 0;
  },
};
