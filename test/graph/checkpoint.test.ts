import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { loadParametersFromCheckpoint, parametersToCheckpoint, weightsOnlyCheckpoint } from '../../src/graph/checkpoint.js';
import { parseCheckpoint } from '../../src/io/checkpoint.js';
import { floatToHalf, halfToFloat } from '../../src/io/safetensors-dtypes.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { readSafetensorsHeader } from '../../src/io/safetensors-header.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { Parameters } from '../../src/graph/parameters.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

function model(hidden = 16) {
  const g = new Graph();
  const x = g.input('x', [8, 4]);
  const y = g.input('y', [8, 1]);
  const h = g.linear(x, g.param('fc1.weight', [hidden, 4]), g.param('fc1.bias', [hidden], { kind: 'zeros' }), 'relu');
  const out = g.linear(h, g.param('fc2.weight', [1, hidden]));
  return { g, loss: g.mean(g.square(g.sub(out, y))) };
}

const feeds = {
  x: Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)),
  y: Float32Array.from({ length: 8 }, (_, i) => Math.sin(i)),
};

async function steps(params: Parameters, g: Graph, loss: ReturnType<typeof model>['loss'], n: number): Promise<number[]> {
  const exe = await compile(ctx.rt, g, { loss, optimizer: { kind: 'adamw', lr: 1e-2 }, parameters: params });
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await exe.run(feeds))[loss.name]![0]!);
  exe.destroy();
  return out;
}

describe('checkpoints of parameters and optimizer state', () => {
  it('resume exactly: save after 3 steps, the next 3 steps are the same from the file', async () => {
    const a = model();
    const params = Parameters.create(ctx.rt, a.g, { seed: 9 });
    await steps(params, a.g, a.loss, 3);
    const bytes = await parametersToCheckpoint(params, { config: { hidden: 16 } });
    const uninterrupted = await steps(params, a.g, a.loss, 3);

    const b = model();
    const resumed = Parameters.create(ctx.rt, b.g, { seed: 123 }); // different init, overwritten by the file
    const info = await loadParametersFromCheckpoint(resumed, bytes);
    expect(info).toEqual({ step: 3, config: { hidden: 16 } });
    expect(await steps(resumed, b.g, b.loss, 3)).toEqual(uninterrupted);
    params.destroy();
    resumed.destroy();
  });

  it('a checkpoint of another model is refused with the tensor named, and the weights are untouched', async () => {
    const small = model(16);
    const bytes = await parametersToCheckpoint(Parameters.create(ctx.rt, small.g, { seed: 1 }));
    const big = model(32);
    const params = Parameters.create(ctx.rt, big.g, { seed: 2 });
    const before = await params.read();
    const err = await loadParametersFromCheckpoint(params, bytes).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/'fc1.weight' is F32 \[16, 4\], the model needs F32 \[32, 4\]/);
    expect(await params.read()).toEqual(before);
  });

  it('a corrupted checkpoint is refused', async () => {
    const m = model();
    const params = Parameters.create(ctx.rt, m.g, { seed: 1 });
    const bytes = await parametersToCheckpoint(params);
    const flipped = bytes.slice();
    flipped[flipped.length - 5]! ^= 0x40;
    await expect(loadParametersFromCheckpoint(params, flipped)).rejects.toThrow(CheckpointError);
    await expect(loadParametersFromCheckpoint(params, bytes.slice(0, bytes.length - 9))).rejects.toThrow(CheckpointError);
  });
});

describe('weights-only checkpoints (for the web page and deployment)', () => {
  it('keep the weights, step, config and extra metadata, drop the moments, and load like any checkpoint', async () => {
    const m = model();
    const params = Parameters.create(ctx.rt, m.g, { seed: 4 });
    await steps(params, m.g, m.loss, 2);
    const full = await parametersToCheckpoint(params, { config: { hidden: 16 } });
    const slim = await weightsOnlyCheckpoint(full);
    const parsed = await parseCheckpoint(slim);
    expect(Object.keys(parsed.tensors).sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.weight']);
    expect([parsed.step, parsed.config, parsed.verified]).toEqual([2, { hidden: 16 }, true]);
    expect(slim.length).toBeLessThan(full.length / 2);

    const fresh = Parameters.create(ctx.rt, model().g, { seed: 99 });
    expect(await loadParametersFromCheckpoint(fresh, slim)).toEqual({ step: 2, config: { hidden: 16 } });
    expect(await fresh.read()).toEqual(await params.read());
    params.destroy();
    fresh.destroy();
  });

  it('in F16: half the bytes again, every weight rounded to its nearest half', async () => {
    const m = model(64);
    const params = Parameters.create(ctx.rt, m.g, { seed: 5 });
    const full = await weightsOnlyCheckpoint(await parametersToCheckpoint(params));
    const half = await weightsOnlyCheckpoint(full, { dtype: 'F16' });
    const dataBytes = (b: Uint8Array) => b.length - readSafetensorsHeader(b).dataStart;
    expect(dataBytes(half)).toBe(dataBytes(full) / 2);
    const fresh = Parameters.create(ctx.rt, model(64).g, { seed: 6 });
    await loadParametersFromCheckpoint(fresh, half);
    const [want, got] = [await params.read(), await fresh.read()];
    for (const name of Object.keys(want)) expect(Array.from(got[name]!), name).toEqual(Array.from(want[name]!, (v) => halfToFloat(floatToHalf(v))));
    params.destroy();
    fresh.destroy();
  });

  it('refuse a plain safetensors file, which has no step or config to carry', async () => {
    const plain = encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
    await expect(weightsOnlyCheckpoint(plain)).rejects.toThrow(/plain safetensors file/);
  });
});
