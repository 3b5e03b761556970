/**
 * Autodiff gradients against central finite differences of the float64 CPU reference, for every op with
 * a gradient rule. The loss is sum(op(x) * R) with a fixed random R, so every output element matters.
 */
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { differentiableOps } from '../../src/graph/gradients.js';
import { getOp, opNames } from '../../src/graph/ops/index.js';
import { host } from '../../src/kernels/reference.js';
import { sizeOf } from '../../src/kernels/shape.js';
import { randomValues } from '../helpers/random.js';
import { GRAD_CASES as CASES, NO_GRADIENT, type GradCase } from './gradcases/index.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

async function gradCheck(op: string, c: GradCase, seed: number): Promise<void> {
  const g = new Graph();
  const [lo, hi] = c.positive ? [0.5, 2] : [-2, 2];
  const values = c.shapes.map((s, i) => (c.values?.[i] ? Float32Array.from(c.values[i]) : randomValues(sizeOf(s), seed + 101 * i, lo, hi)));
  const xs = c.shapes.map((s, i) => g.input(`x${i}`, s));
  const y = g.apply(op, xs, c.attrs ?? {});
  const r = randomValues(y.size, seed + 7, -1, 1);
  const loss = g.sum(g.mul(y, g.constant(r, y.shape)));
  // Inputs with fixed values (e.g. integer labels) are data, not variables: not differentiated.
  const grads = backward(g, loss, xs.filter((_, i) => !c.values?.[i]));
  const exe = await compile(ctx.rt, g, { outputs: [loss, ...grads.values()] });
  const feeds = Object.fromEntries(xs.map((x, i) => [x.name, values[i]!]));
  const out = await exe.run(feeds);
  exe.destroy();

  const def = getOp(op);
  const lossRef = (inputs: Float64Array[]) => {
    const ref = def.reference(inputs.map((d, i) => host(c.shapes[i]!, d)), c.attrs ?? {});
    let s = 0;
    for (let k = 0; k < ref.data.length; k++) s += ref.data[k]! * r[k]!;
    return s;
  };
  const base = values.map((v) => Float64Array.from(v));
  const h = 1e-4;
  for (const [i, x] of xs.entries()) {
    if (c.values?.[i]) continue;
    const auto = out[grads.get(x)!.name]!;
    for (let j = 0; j < x.size; j++) {
      const plus = base.map((b) => b.slice());
      const minus = base.map((b) => b.slice());
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      const numeric = (lossRef(plus) - lossRef(minus)) / (2 * h);
      const err = Math.abs(auto[j]! - numeric);
      expect(
        err <= 2e-3 + 2e-3 * Math.abs(numeric),
        `${op} ${JSON.stringify(c)}: d loss / d x${i}[${j}] autodiff ${auto[j]} vs finite difference ${numeric}`,
      ).toBe(true);
    }
  }
}

describe('gradient check: autodiff vs finite differences of the float64 reference', () => {
  it('every op with a gradient rule has cases here, and every other op is declared gradient-free', () => {
    // stop_gradient is checked on its own below: its gradient is zero by definition, not by calculus.
    for (const op of differentiableOps()) {
      if (op !== 'stop_gradient') expect(CASES[op], `no gradient-check case for '${op}'`).toBeDefined();
    }
    for (const op of opNames()) {
      expect(differentiableOps().includes(op) || NO_GRADIENT.has(op), `op '${op}' has neither a gradient rule nor a NO_GRADIENT entry`).toBe(true);
    }
  });

  for (const [op, cases] of Object.entries(CASES)) {
    it(op, async () => {
      for (const [k, c] of cases.entries()) await gradCheck(op, c, 1000 + 17 * k);
    });
  }
});

describe('stopGradient', () => {
  it('blocks the gradient through it and leaves other paths alone', async () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    // loss = sum(x * stop(x)): d/dx = stop(x) = x (the blocked path contributes nothing).
    const loss = g.sum(g.mul(x, g.stopGradient(x)));
    const grad = backward(g, loss, [x]).get(x)!;
    const exe = await compile(ctx.rt, g, { outputs: [grad] });
    const out = await exe.run({ x: [1, -2, 3, 0.5] });
    expect(Array.from(out[grad.name]!)).toEqual([1, -2, 3, 0.5]);
    exe.destroy();
  });
});
