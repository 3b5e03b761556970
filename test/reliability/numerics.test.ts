/**
 * Guarded numerics: the cheap check (one GPU reduction over the weights) sees NaN and Inf; the debug run
 * names the first non-finite tensor of a step; `langseg train --check-finite N` stops with that name and
 * leaves the last good checkpoint untouched.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainLoop } from '../../src/app/train-loop.js';
import { TOY_CLASSES, toyScenes } from '../../src/data/toy-scenes.js';
import { syntheticDataset } from '../../src/data/synthetic/dataset.js';
import { NonFiniteError } from '../../src/errors.js';
import { parametersAreFinite } from '../../src/graph/numerics.js';
import { parseCheckpoint, RESERVED_KEYS, serializeCheckpoint } from '../../src/io/checkpoint.js';
import { resolveConfig } from '../../src/model/config.js';
import { firstNonFiniteInStep } from '../../src/model/debug-step.js';
import { LangSegModel } from '../../src/model/model.js';
import { builtinDescriptors } from '../../src/descriptors/builtin.js';
import { subsetDescriptors } from '../../src/descriptors/descriptor-file.js';
import { runCli } from '../helpers/cli.js';
import { recordFigures } from '../helpers/reliability-figures.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const root = mkdtempSync(join(tmpdir(), 'langseg-nan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The weight poked in these tests: the scale (gamma) of the image encoder's first group norm. */
const POKED = /norm\.weight$/;
const pokedWeight = (model: LangSegModel) => model.parameters.entries.find((e) => POKED.test(e.name))!;

/** Set the first of its values (or all of them) to `value`. */
async function poke(model: LangSegModel, value: number, all = false): Promise<string> {
  const entry = pokedWeight(model);
  const values = await model.parameters.read('values');
  if (all) values[entry.name]!.fill(value);
  else values[entry.name]![0] = value;
  model.parameters.write(values);
  return entry.name;
}

describe('finding NaN and Inf', () => {
  it('the weight check sees one NaN or Inf among a million weights; the debug run names the input, the parameter or the first tensor it reaches', async () => {
    const model = LangSegModel.create(ctx.rt, resolveConfig('tiny', { imageSize: [32, 32] }), TOY_CLASSES, { seed: 0 });
    try {
      const { images, labels } = toyScenes(1, 32);
      expect(await parametersAreFinite(model.parameters)).toBe(true);
      expect(await firstNonFiniteInStep(model, images, labels)).toBeNull();

      const bad = images.slice();
      bad[100] = NaN;
      expect(await firstNonFiniteInStep(model, bad, labels)).toMatchObject({ name: 'images', kind: 'input', count: 1 });

      const name = await poke(model, Infinity);
      expect(await parametersAreFinite(model.parameters)).toBe(false);
      expect(await firstNonFiniteInStep(model, images, labels)).toMatchObject({ name, kind: 'parameter', count: 1 });

      await poke(model, NaN);
      expect(await parametersAreFinite(model.parameters)).toBe(false);

      // Finite but huge weights (a norm's scale at 3e38): the overflow shows up further in, in the forward pass.
      await poke(model, 3e38, true);
      expect(await parametersAreFinite(model.parameters)).toBe(true);
      const found = await firstNonFiniteInStep(model, images, labels);
      expect(found).toMatchObject({ kind: 'forward' });
      expect(found!.count).toBeGreaterThan(0);
    } finally {
      model.destroy();
    }
  });

  it('trainLoop with checkFiniteEvery stops before writing a checkpoint of non-finite weights', async () => {
    const train = syntheticDataset({ split: 'train', count: 16, size: 32 });
    const model = LangSegModel.create(ctx.rt, resolveConfig('tiny', { imageSize: [32, 32] }), subsetDescriptors(builtinDescriptors('ade20k'), [...train.classes]), { seed: 0 });
    const written: number[] = [];
    try {
      const run = trainLoop(model, train, {
        steps: 8,
        batch: 1,
        lr: 1e-3,
        seed: 0,
        checkFiniteEvery: 4,
        checkpointEvery: 2,
        checkpoint: async (m) => void written.push(m.parameters.step),
        onStep: (s) => void (s.step === 3 && poke(model, NaN)),
      });
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteError);
      expect((error as NonFiniteError).step).toBe(4);
      expect(written).toEqual([2]);
    } finally {
      model.destroy();
    }
  });
});

describe('langseg train --check-finite', () => {
  it('stops at the first non-finite step, names its first non-finite tensor, and keeps the last good checkpoint', async () => {
    const dir = join(root, 'run');
    const first = await runCli('train', '--size', '32', '--batch', '1', '--steps', '4', '--checkpoint-every', '2', '--validate-every', '100', '--val-images', '1', '--out', dir);
    expect(first.code, first.out).toBe(0);
    // Make the checkpoint hold a finite but huge weight (checksums rewritten, as a diverging run would write them).
    const path = join(dir, 'checkpoint.safetensors');
    const checkpoint = await parseCheckpoint(readFileSync(path));
    const name = Object.keys(checkpoint.tensors).find((n) => POKED.test(n) && !n.startsWith('optimizer.'))!;
    (checkpoint.tensors[name]!.data as Float32Array).fill(3e38);
    const extraMetadata = Object.fromEntries(Object.entries(checkpoint.metadata).filter(([k]) => !RESERVED_KEYS.includes(k)));
    const poisoned = await serializeCheckpoint({ tensors: checkpoint.tensors as never, step: checkpoint.step, config: checkpoint.config, extraMetadata });
    writeFileSync(path, poisoned);

    const r = await runCli('train', '--resume', '--steps', '8', '--check-finite', '3', '--out', dir);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/step 6: the loss \(NaN\) or the weights are no longer finite; re-running the steps since the last checkpoint/);
    const message = /training stopped: step 5 made the weights non-finite \(found by re-running it from step 4\): its first non-finite tensor is the forward pass's '([^']+)' \((\w+), \[[\d, ]+\], reading ([\w., ]+), (\d+) of (\d+) values NaN or Inf\)/.exec(r.out);
    expect(message, r.out).not.toBeNull();
    expect(message![3]).toContain(name); // the layer whose weight was poisoned
    expect(r.out).toMatch(/the checkpoint .*checkpoint\.safetensors keeps step 4, the last good one\. Try a lower --lr/);
    // The last good checkpoint (the one from before the run went bad) is untouched.
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(poisoned))).toBe(true);
    await recordFigures('numerics', { poisonedWeight: name, value: 3e38, stoppedAtCheck: 6, firstBadStep: 5, firstNonFiniteTensor: message![1], op: message![2], reads: message![3], nonFiniteValues: `${message![4]} of ${message![5]}`, checkpointKeptAtStep: 4 });
  });
});
