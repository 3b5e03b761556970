/**
 * Limits at compile time: every buffer of a plan is checked against the device's maxStorageBufferBindingSize
 * and maxBufferSize, and the whole plan against a memory budget, before anything is allocated; a model that
 * does not fit is told the tensor and the batch or resolution that would fit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../src/data/synthetic/dataset.js';
import { builtinDescriptors } from '../../src/descriptors/builtin.js';
import { subsetDescriptors } from '../../src/descriptors/descriptor-file.js';
import { trackBuffers } from '../../src/device/buffer-tracker.js';
import { getDevice } from '../../src/device/device.js';
import { BindingLimitError, MemoryBudgetError } from '../../src/errors.js';
import { compile, planCompile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { KernelRuntime } from '../../src/kernels/runtime.js';
import { resolveConfig } from '../../src/model/config.js';
import { adviseFit, assertTrainingFits } from '../../src/model/fit.js';
import { LangSegModel } from '../../src/model/model.js';
import { runCli } from '../helpers/cli.js';
import { recordFigures } from '../helpers/reliability-figures.js';
import { useRuntime } from '../helpers/runtime.js';

const MiB = 2 ** 20;
const ctx = useRuntime();
const root = mkdtempSync(join(tmpdir(), 'langseg-limits-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const classes = [...syntheticDataset({ split: 'val', count: 1, size: 32 }).classes];
const descriptors = subsetDescriptors(builtinDescriptors('ade20k'), classes);
const figures: Record<string, unknown> = {};
afterAll(() => recordFigures('limits', figures));

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('compile-time limits', () => {
  it('a plan over the memory budget is refused before a single buffer is created, with its parts and largest tensor', async () => {
    const g = new Graph();
    const x = g.input('x', [256, 1024]);
    const w = g.param('fc.weight', [1024, 1024]);
    const y = g.mean(g.square(g.linear(x, w, g.param('fc.bias', [1024], { kind: 'zeros' }))));
    const report = planCompile(ctx.rt, g, { loss: y, optimizer: { kind: 'adamw', lr: 1e-3 } });
    expect(report.totalBytes).toBeGreaterThan(5 * report.parameterBytes);
    expect(report.largest).toMatchObject({ shape: [1024, 1024], bytes: 1024 * 1024 * 4 }); // the weight gradient
    const tracker = trackBuffers(ctx.rt.device);
    try {
      const error = (await compile(ctx.rt, g, { loss: y, optimizer: { kind: 'adamw', lr: 1e-3 }, memoryBudget: report.totalBytes - 1 }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(MemoryBudgetError);
      expect(error.message).toMatch(/the compiled plan needs [\d.]+ MiB, over the memory budget of [\d.]+ MiB: intermediates .* parameters with gradients, moments and decay mask 20\.0 MiB.* the largest tensor is '.+' \[1024, 1024\]/);
      expect(tracker.counts().created).toBe(0);
      const exe = await compile(ctx.rt, g, { loss: y, optimizer: { kind: 'adamw', lr: 1e-3 }, memoryBudget: report.totalBytes });
      exe.destroy();
    } finally {
      tracker.stop();
    }
  });

  it('a tensor over maxStorageBufferBindingSize is named, with the batch and the resolution that fit (and those do fit)', async () => {
    const limit = 6 * MiB;
    const dev = await getDevice({ limits: { maxStorageBufferBindingSize: limit } });
    try {
      const rt = new KernelRuntime(dev);
      const model = LangSegModel.create(rt, resolveConfig('tiny', { imageSize: [128, 128] }), descriptors, { seed: 0 });
      try {
        const error = caught(() => assertTrainingFits(model, 8));
        expect(error).toBeInstanceOf(BindingLimitError);
        expect(error.message).toMatch(new RegExp(`tensor '.+' \\[8, .*\\] needs \\d+ bytes, but this device binds at most ${limit} bytes`));
        const advice = adviseFit(model, 8);
        expect(advice.batch).toBeGreaterThan(0);
        expect(advice.batch).toBeLessThan(8);
        expect(advice.imageSize).not.toBeNull();
        expect(error.message).toContain(`What fits: batch ${advice.batch} at 128x128 (--batch ${advice.batch}), or batch 8 at ${advice.imageSize!.join('x')} (--size ${advice.imageSize![0]})`);
        // The advice is the largest that fits: it plans, one more does not.
        expect(() => assertTrainingFits(model, advice.batch)).not.toThrow();
        expect(() => assertTrainingFits(model, advice.batch + 1)).toThrow(BindingLimitError);
        figures.bindingLimit = { limitBytes: limit, batch: 8, imageSize: 128, message: error.message, advisedBatch: advice.batch, advisedSize: advice.imageSize };
      } finally {
        model.destroy();
      }
    } finally {
      dev.destroy();
    }
  });

  it('langseg train --memory-budget refuses a step that needs more and says what fits; nothing is trained', async () => {
    const out = join(root, 'budget');
    const r = await runCli('train', '--batch', '8', '--steps', '1', '--memory-budget', '80', '--val-images', '1', '--out', out);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/langseg train: the compiled plan needs [\d.]+ MiB, over the memory budget of 80\.0 MiB: .* the largest tensor is '.+' \[8, .*\] \([\d.]+ MiB\)\. Use a smaller batch or resolution, or raise the budget\. What fits: batch \d at 128x128 \(--batch \d\), or batch 8 at \d+x\d+ \(--size \d+\)/);
    expect(r.out).not.toMatch(/1\/1 loss/);
    const tiny = await runCli('train', '--steps', '1', '--memory-budget', '2', '--val-images', '1', '--out', join(root, 'tiny'));
    expect(tiny.code, tiny.out).toBe(1);
    expect(tiny.out).toMatch(/Not even batch 1 at 32x32 fits: the parameters alone are too large for this device or budget; use a smaller model/);
    figures.memoryBudget = { budgetMiB: 80, batch: 8, message: r.out.split('\n').find((l) => l.includes('memory budget')) };
  });
});
