import { describe, expect, it } from 'vitest';
import { DTypeError, GraphError, ShapeError } from '../../src/errors.js';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

describe('building a graph', () => {
  it('infers shapes as it goes', () => {
    const g = new Graph();
    const x = g.input('x', [8, 3]);
    const w = g.param('fc.weight', [5, 3]);
    const y = g.linear(x, w);
    expect(y.shape).toEqual([8, 5]);
    expect(g.sum(y, [0]).shape).toEqual([5]);
    expect(g.transpose(y).shape).toEqual([5, 8]);
    expect(g.reshape(y, [40]).shape).toEqual([40]);
  });

  it('throws a ShapeError naming the op and the shapes on a mismatch, at the line that built it', () => {
    const g = new Graph();
    const x = g.input('x', [8, 3]);
    const w = g.param('w', [4, 5]);
    expect(() => g.matmul(x, w)).toThrow(ShapeError);
    expect(() => g.matmul(x, w)).toThrow(/matmul\(x\[8, 3\], w\[4, 5\]\).*inner dimensions differ/);
    expect(() => g.add(x, g.input('z', [4]))).toThrow(/add\(x\[8, 3\], z\[4\]\).*do not broadcast/);
    expect(() => g.reshape(x, [5, 5])).toThrow(/cannot reshape \[8, 3\]/);
    expect(() => g.apply('nope', [x])).toThrow(/unknown op 'nope'/);
    expect(() => g.apply('relu', [x, x])).toThrow(/takes 1 inputs, got 2/);
    expect(() => g.relu(g.input('ids', [4], 'i32'))).toThrow(DTypeError);
    expect(() => g.input('x', [1])).toThrow(/already used/);
  });
});

describe('backward', () => {
  it('accumulates the gradient of a tensor used several times', async () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    // loss = sum(x*x + 3x) -> dx = 2x + 3
    const loss = g.sum(g.add(g.mul(x, x), g.scale(x, 3)));
    const dx = backward(g, loss, [x]).get(x)!;
    const exe = await compile(ctx.rt, g, { outputs: [dx] });
    expect(Array.from((await exe.run({ x: [1, 2, -1] }))[dx.name]!)).toEqual([5, 7, 1]);
    exe.destroy();
  });

  it('does no work for branches that do not reach what is differentiated', () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    const w = g.param('w', [4]);
    const side = g.exp(g.square(x)); // depends on no parameter
    const loss = g.sum(g.mul(g.mul(w, x), side));
    const before = g.nodes.length;
    backward(g, loss, [w]);
    const added = g.nodes.slice(before).map((n) => n.op);
    // d/dw = x * side: no gradient nodes for exp or square (those would need gelu_grad-like work on x).
    expect(added).not.toContain('exp');
    expect(added.filter((op) => op === 'mul').length).toBeLessThanOrEqual(2);
  });

  it('gives zeros for a parameter the loss does not depend on', async () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const used = g.param('used', [2]);
    const unused = g.param('unused', [3]);
    const loss = g.sum(g.mul(x, used));
    const grads = backward(g, loss, [used, unused]);
    const exe = await compile(ctx.rt, g, { outputs: [grads.get(used)!, grads.get(unused)!] });
    const out = await exe.run({ x: [4, 5] });
    expect(Array.from(out[grads.get(used)!.name]!)).toEqual([4, 5]);
    expect(Array.from(out[grads.get(unused)!.name]!)).toEqual([0, 0, 0]);
    exe.destroy();
  });

  it('refuses a non-scalar loss and ops without a gradient rule on the path', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const w = g.param('w', [3]);
    expect(() => backward(g, g.mul(x, w), [w])).toThrow(/must be a single value/);
    const loss = g.sum(g.unary('gelu_grad', g.mul(x, w)));
    expect(() => backward(g, loss, [w])).toThrow(GraphError);
    expect(() => backward(g, loss, [w])).toThrow(/'gelu_grad'.*no gradient rule.*stopGradient/);
  });
});

describe('running an executable', () => {
  it('says clearly what is wrong with the feeds', async () => {
    const g = new Graph();
    const x = g.input('x', [2, 2]);
    const y = g.relu(x);
    const exe = await compile(ctx.rt, g, { outputs: [y] });
    await expect(exe.run({})).rejects.toThrow(/no value fed for input 'x' \[2, 2\]/);
    await expect(exe.run({ x: [1, 2, 3] })).rejects.toThrow(/expects 4 values \(\[2, 2\]\), got 3; a new shape needs a new compile/);
    await expect(exe.run({ x: [1, 2, 3, 4], nope: [1] })).rejects.toThrow(/'nope' is not an input of the graph/);
    expect(Array.from((await exe.run({ x: [1, -2, 3, -4] }))[y.name]!)).toEqual([1, 0, 3, 0]);
    exe.destroy();
  });

  it('compiles only what the outputs need', async () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    const labels = g.input('labels', [4]);
    const pred = g.scale(x, 2);
    g.sum(g.square(g.sub(pred, labels))); // a loss this executable does not ask for
    const exe = await compile(ctx.rt, g, { outputs: [pred] });
    expect(exe.dispatchCount).toBe(1);
    // Feeding an input the executable does not need is fine (the same feeds serve train and eval).
    expect(Array.from((await exe.run({ x: [1, 2, 3, 4], labels: [0, 0, 0, 0] }))[pred.name]!)).toEqual([2, 4, 6, 8]);
    exe.destroy();
  });
});

describe('executable guards', () => {
  it('refuses a second run before the first has finished', async () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    const y = g.relu(x);
    const exe = await compile(ctx.rt, g, { outputs: [y] });
    const first = exe.run({ x: [1, -1, 2, -2] });
    await expect(exe.run({ x: [1, 1, 1, 1] })).rejects.toThrow(/previous run of this executable has not finished/);
    expect(Array.from((await first)[y.name]!)).toEqual([1, 0, 2, 0]);
    exe.destroy();
  });
});
