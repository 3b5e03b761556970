/**
 * One Parameters object serving several graphs of one model (a training graph and an inference graph with
 * another batch size or class set): parameters match by name and shape.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

function model(batch: number, width = 3): { g: Graph; y: ReturnType<Graph['input']> } {
  const g = new Graph();
  const x = g.input('x', [batch, 2]);
  const w = g.param('layer.weight', [width, 2]);
  const b = g.param('layer.bias', [width], { kind: 'zeros' });
  return { g, y: g.linear(x, w, b) };
}

describe('parameters shared between graphs', () => {
  it('a graph with the same parameter names and shapes runs on another graph\'s parameters, and sees its training', async () => {
    const train = model(4);
    const loss = train.g.mean(train.g.square(train.y));
    const trainer = await compile(ctx.rt, train.g, { loss, optimizer: { kind: 'sgd', lr: 0.1 }, seed: 7 });
    const infer = model(1);
    const predictor = await compile(ctx.rt, infer.g, { outputs: [infer.y], parameters: trainer.parameters });
    const x = Float32Array.from([1, -1]);
    const before = (await predictor.run({ x }))[infer.y.name]!;
    await trainer.run({ x: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) });
    const after = (await predictor.run({ x }))[infer.y.name]!;
    expect(Array.from(after)).not.toEqual(Array.from(before));
    predictor.destroy();
    trainer.destroy();
  });

  it('refuses a parameter whose shape differs, naming both shapes', async () => {
    const a = model(2, 3);
    const exe = await compile(ctx.rt, a.g, { outputs: [a.y] });
    const b = model(2, 5);
    await expect(compile(ctx.rt, b.g, { outputs: [b.y], parameters: exe.parameters })).rejects.toThrow(/'layer.weight' is \[5, 2\] in this graph but \[3, 2\]/);
    exe.destroy();
  });
});
