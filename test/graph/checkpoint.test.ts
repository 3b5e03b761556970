import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { loadParametersFromCheckpoint, parametersToCheckpoint } from '../../src/graph/checkpoint.js';
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
