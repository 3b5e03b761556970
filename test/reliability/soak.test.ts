/**
 * A soak of the training loop: the tiny model on small synthetic images for many steps, with everything a
 * long run does (NaN checks, validation, checkpoints to disk). After warm-up the live GPU buffers and bytes
 * must not move, and process RSS may grow only a little. CI runs 300 steps; `npm run soak` runs 2000
 * (LANGSEG_SOAK_STEPS). The figures go to the reliability report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainLoop } from '../../src/app/train-loop.js';
import { syntheticDataset } from '../../src/data/synthetic/dataset.js';
import { builtinDescriptors } from '../../src/descriptors/builtin.js';
import { subsetDescriptors } from '../../src/descriptors/descriptor-file.js';
import { trackBuffers, type BufferCounts } from '../../src/device/buffer-tracker.js';
import { writeFileAtomic } from '../../src/io/atomic-file.js';
import { resolveConfig } from '../../src/model/config.js';
import { LangSegModel } from '../../src/model/model.js';
import { recordFigures } from '../helpers/reliability-figures.js';
import { useRuntime } from '../helpers/runtime.js';

const STEPS = Number(process.env.LANGSEG_SOAK_STEPS ?? '300');
/** Samples are taken after each checkpoint, so every one sees the loop in the same phase. */
const CHECKPOINT_EVERY = 25;
const WARMUP_STEPS = 100;
const MiB = 2 ** 20;
/** RSS may grow by this much after warm-up: allocator and JIT noise, not a per-step leak (a leak of one 4 KiB buffer a step would show in the buffer counts first). */
const RSS_GROWTH_BOUND = 64 * MiB;

const ctx = useRuntime();
const dir = mkdtempSync(join(tmpdir(), 'langseg-soak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sample extends BufferCounts {
  step: number;
  rssMiB: number;
  heapMiB: number;
}

describe(`soak: ${STEPS} training steps`, () => {
  // The timeout only catches a hang (a step takes well under a second on lavapipe); it scales with the steps.
  it('live GPU buffers and bytes stay flat after warm-up; RSS growth stays bounded', { timeout: 120_000 + STEPS * 3_000 }, async () => {
    const train = syntheticDataset({ split: 'train', count: 256, size: 32 });
    const val = syntheticDataset({ split: 'val', count: 4, size: 32 });
    const descriptors = subsetDescriptors(builtinDescriptors('ade20k'), [...train.classes]);
    const tracker = trackBuffers(ctx.rt.device);
    const samples: Sample[] = [];
    const started = performance.now();
    let model: LangSegModel | undefined;
    try {
      model = LangSegModel.create(ctx.rt, resolveConfig('tiny', { imageSize: [32, 32] }), descriptors, { seed: 0 });
      const history = await trainLoop(model, train, {
        steps: STEPS,
        batch: 2,
        lr: 1e-3,
        seed: 0,
        validateEvery: 100,
        validation: { dataset: val },
        checkFiniteEvery: 10,
        checkpointEvery: CHECKPOINT_EVERY,
        checkpoint: async (m) => {
          await writeFileAtomic(join(dir, 'checkpoint.safetensors'), await m.save());
          const memory = process.memoryUsage();
          samples.push({ step: m.parameters.step, ...tracker.counts(), rssMiB: memory.rss / MiB, heapMiB: memory.heapUsed / MiB });
        },
      });
      expect(history.losses).toHaveLength(STEPS);
    } finally {
      model?.destroy();
      tracker.stop();
    }
    const after = samples.filter((s) => s.step >= WARMUP_STEPS);
    const base = after[0]!;
    const last = after.at(-1)!;
    const figures = {
      steps: STEPS,
      imageSize: 32,
      batch: 2,
      warmupSteps: WARMUP_STEPS,
      seconds: Math.round((performance.now() - started) / 1000),
      buffersCreated: last.created,
      liveBuffers: { atWarmup: base.live, atEnd: last.live, min: Math.min(...after.map((s) => s.live)), max: Math.max(...after.map((s) => s.live)) },
      liveBytes: { atWarmup: base.bytes, atEnd: last.bytes, min: Math.min(...after.map((s) => s.bytes)), max: Math.max(...after.map((s) => s.bytes)), peak: last.peakBytes },
      rssMiB: { atStart: samples[0]!.rssMiB, atWarmup: base.rssMiB, atEnd: last.rssMiB, max: Math.max(...after.map((s) => s.rssMiB)), growthAfterWarmup: last.rssMiB - base.rssMiB },
      heapMiB: { atWarmup: base.heapMiB, atEnd: last.heapMiB },
      samples: samples.map((s) => ({ step: s.step, live: s.live, bytes: s.bytes, rssMiB: Math.round(s.rssMiB * 10) / 10 })),
    };
    await recordFigures('soak', figures);
    for (const s of after) {
      expect([s.step, s.live, s.bytes], 'live buffers and bytes after warm-up').toEqual([s.step, base.live, base.bytes]);
    }
    expect(Math.max(...after.map((s) => s.rssMiB)) - base.rssMiB, `RSS samples ${JSON.stringify(figures.samples)}`).toBeLessThan(RSS_GROWTH_BOUND / MiB);
  });
});
