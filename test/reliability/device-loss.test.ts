/**
 * Device loss, simulated the way the issue asks: GPUDevice.destroy() behind the library's back, which
 * resolves `device.lost` just as a driver reset or a removed GPU would. The library answers every later
 * call with a typed DeviceLostError; the CLI trainer acquires a new device, rebuilds its executables,
 * reloads the last checkpoint and continues (a bounded number of times, each in its log), and ends with
 * the weights of an uninterrupted run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTraining, type RunSettings } from '../../src/cli/run-training.js';
import { TOY_CLASSES, toyScenes } from '../../src/data/toy-scenes.js';
import { getDevice, type LangsegDevice } from '../../src/device/device.js';
import { DeviceLostError } from '../../src/errors.js';
import { parseCheckpoint } from '../../src/io/checkpoint.js';
import { resolveConfig } from '../../src/model/config.js';
import { LangSegModel } from '../../src/model/model.js';
import { recordFigures } from '../helpers/reliability-figures.js';

const root = mkdtempSync(join(tmpdir(), 'langseg-lost-'));
const devices: LangsegDevice[] = [];
afterAll(() => {
  for (const d of devices) d.destroy();
  rmSync(root, { recursive: true, force: true });
});

async function device(): Promise<LangsegDevice> {
  const d = await getDevice();
  devices.push(d);
  return d;
}

/** Simulate losing the GPU: destroy the device without telling the library. */
const lose = (d: LangsegDevice) => d.device.destroy();

describe('the library after a lost device', () => {
  it('answers a training step, a save and a compile with DeviceLostError, whether the loss comes between steps or during one', async () => {
    const { images, labels } = toyScenes(2, 32);
    for (const moment of ['between steps', 'during a step'] as const) {
      const dev = await device();
      const model = LangSegModel.create(dev, resolveConfig('tiny', { imageSize: [32, 32] }), TOY_CLASSES, { seed: 0 });
      const trainer = await model.trainer({ batch: 2 });
      await trainer.step(images, labels);
      if (moment === 'between steps') lose(dev);
      const step = trainer.step(images, labels);
      if (moment === 'during a step') lose(dev);
      await expect(step, moment).rejects.toBeInstanceOf(DeviceLostError);
      await expect(model.save()).rejects.toBeInstanceOf(DeviceLostError);
      await expect(model.trainer({ batch: 2 })).rejects.toBeInstanceOf(DeviceLostError);
      expect((await dev.lost).reason).toBe('destroyed');
      trainer.destroy();
      model.destroy();
    }
  });
});

const SETTINGS: RunSettings = {
  data: 'synthetic',
  preset: 'tiny',
  overrides: { imageSize: [64, 64] },
  steps: 12,
  batch: 2,
  lr: 2e-3,
  seed: 3,
  validateEvery: 1000,
  checkpointEvery: 4,
  syntheticTrain: 256,
  syntheticVal: 2,
};

/** Runs the CLI trainer; `onProgress(step, device)` sees each progress line with the device in use. */
async function train(out: string, options: { loseAt?: number[]; retries?: number }) {
  const log: string[] = [];
  let current = await device();
  const first = current;
  const loseAt = new Set(options.loseAt ?? []);
  const record = (line: string) => {
    log.push(line);
    const m = /^(\d+)\/\d+ loss/.exec(line);
    if (m && loseAt.delete(Number(m[1]))) lose(current);
  };
  const ctx = { values: {}, positionals: [], device: first, log: record, error: record };
  const acquireDevice = async () => (current = await device());
  const result = await runTraining(ctx, first, SETTINGS, { out, resume: false, force: false, title: 'train', deviceRetries: options.retries, acquireDevice }).catch((e: unknown) => e);
  return { result, log: log.join('\n') };
}

describe('the CLI trainer after a lost device', () => {
  it('acquires a new device, reloads the last checkpoint and ends with the weights of an uninterrupted run', async () => {
    const reference = await train(join(root, 'reference'), {});
    expect(reference.result, reference.log).toMatchObject({ deviceLosses: 0 });
    const lost = await train(join(root, 'lost'), { loseAt: [6, 10] });
    expect(lost.result, lost.log).toMatchObject({ deviceLosses: 2 });
    // The log says what happened: lost at step 6, back at the checkpoint of step 4; lost at 10, back at 8.
    expect(lost.log).toMatch(/device lost at step 6 \(destroyed\); acquiring a new device and continuing from the last checkpoint \(recovery 1 of at most 3\)/);
    expect(lost.log).toMatch(/device recovered: a new device .*, executables rebuilt, continuing from the checkpoint at step 4/);
    expect(lost.log).toMatch(/device lost at step 10 .*recovery 2 of at most 3/);
    expect(lost.log).toMatch(/continuing from the checkpoint at step 8/);
    const [a, b] = await Promise.all(['reference', 'lost'].map(async (d) => parseCheckpoint(readFileSync(join(root, d, 'checkpoint.safetensors')))));
    expect(b!.step).toBe(12);
    for (const [name, t] of Object.entries(a!.tensors)) expect(Buffer.from((b!.tensors[name]!.data as Float32Array).buffer).equals(Buffer.from((t.data as Float32Array).buffer)), name).toBe(true);

    // Bounded: with one recovery allowed, the second loss ends the run with a DeviceLostError that says so.
    const bounded = await train(join(root, 'bounded'), { loseAt: [3, 5], retries: 1 });
    expect(bounded.result).toBeInstanceOf(DeviceLostError);
    expect((bounded.result as Error).message).toMatch(/lost again after 1 recoveries; giving up.*langseg train --resume --out/);
    expect(bounded.log).toMatch(/recovery 1 of at most 1/);

    const recoveredRun = (lost.result as { deviceLosses: number }).deviceLosses;
    const recoveredBounded = bounded.log.match(/^device recovered/gm)?.length ?? 0;
    expect(recoveredBounded).toBe(1);
    await recordFigures('deviceLoss', {
      lossesSimulated: 4,
      recovered: recoveredRun + recoveredBounded,
      runs: [
        { loseAtSteps: [6, 10], recovered: recoveredRun, finalWeightsEqualUninterrupted: true },
        { loseAtSteps: [3, 5], retries: 1, recovered: recoveredBounded, gaveUpWithDeviceLostError: true },
      ],
    });
  });
});
